import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canEnter } from '../../../src/adapters/postgres/server-user.ts';

/**
 * Whether the postgres account can reach a folder decides where, as root, the embedded PostgreSQL keeps its
 * binaries and files. Judged from the mode bits of every folder on the way, as the kernel does.
 */
describe('canEnter', () => {
  let base: string;
  const me = process.getuid?.() ?? 0;
  const stranger = { kind: 'postgres' as const, uid: 4_000_001, gid: 4_000_001 };

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'top-songs-unit-enter-'));
    await mkdir(join(base, 'inner', 'data'), { recursive: true });
  });

  afterEach(async () => {
    await chmod(base, 0o700);
    await rm(base, { recursive: true, force: true });
  });

  it('lets the server run as this process’s own user everywhere this process goes', async () => {
    await chmod(base, 0o700);
    expect(await canEnter({ kind: 'self' }, join(base, 'inner', 'data'))).toBe(true);
  });

  it('refuses another account when a folder on the way is closed to others (mode 700)', async () => {
    await chmod(base, 0o700);
    expect(await canEnter(stranger, join(base, 'inner', 'data'))).toBe(false);
  });

  it('lets another account through folders others may search (711 is enough)', async () => {
    await chmod(base, 0o711);
    expect(await canEnter(stranger, join(base, 'inner', 'data'))).toBe(true);
  });

  it('judges a folder by its owner bits when the account owns it', async () => {
    await chmod(base, 0o700);
    const owner = { kind: 'postgres' as const, uid: me, gid: 4_000_001 };
    expect(await canEnter(owner, join(base, 'inner', 'data'))).toBe(true);
  });

  it('refuses a folder that does not exist', async () => {
    expect(await canEnter(stranger, join(base, 'missing'))).toBe(false);
  });
});
