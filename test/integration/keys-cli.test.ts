/**
 * `npm run keys -- create|list|revoke`, run as a user runs it (a child process, local mode's embedded
 * PostgreSQL in its data folder): the key on standard output once, only its hash stored, clear errors.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { startEmbeddedPostgres } from '../../src/adapters/postgres/embedded.ts';
import { hashApiKey } from '../../src/domain/api-keys.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const { DATABASE_URL: _exported, DATABASE_SECRET_ARN: _secret, ...inheritedEnv } = process.env;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the keys command', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    dataDir = await makeTempDir('keys-cli');
  });

  afterAll(async () => dataDir?.remove());

  const keys = async (...args: string[]): Promise<Outcome> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [resolve(root, 'local/keys.ts'), ...args], {
        cwd: root,
        env: { ...inheritedEnv, TOP_SONGS_DATA_DIR: dataDir.path },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  /** The api_keys table as stored, read straight from the data folder's PostgreSQL. */
  async function storedKeys(): Promise<Record<string, unknown>[]> {
    const database = await startEmbeddedPostgres(resolve(dataDir.path, 'postgres'));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query('SELECT * FROM api_keys ORDER BY id')).rows;
    } finally {
      await client.end();
      await database.stop();
    }
  }

  let created: string;

  it('creates a key, printing only the key on standard output and storing only its hash', async () => {
    const outcome = await keys('create', 'simulator', '--rate', '20/s');
    expect(outcome.code).toBe(0);
    created = outcome.stdout.trim();
    expect(created).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
    expect(outcome.stderr).toMatch(/Created key 1 "simulator" \(20\/s\)\. It is shown once/);
    const [row] = await storedKeys();
    expect(row).toMatchObject({
      name: 'simulator',
      prefix: created.slice(0, 12),
      rate_limit: 20,
      rate_window_seconds: 1,
    });
    expect((row!.key_hash as Buffer).equals(hashApiKey(created))).toBe(true);
    expect(JSON.stringify(row)).not.toContain(created.slice(12));
  });

  it('lists keys with id, name, prefix, rate, creation and revocation, never the key', async () => {
    expect((await keys('create', 'ci')).code).toBe(0);
    const outcome = await keys('list');
    expect(outcome.code).toBe(0);
    const lines = outcome.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+prefix\s+rate\s+created\s+revoked\s+last used$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^1\\s+simulator\\s+${created.slice(0, 12)}…\\s+20/s\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+-\\s+-$`,
      ),
    );
    expect(lines[2]).toMatch(/^2\s+ci\s+tsk_\S{8}…\s+600\/min\s/);
    expect(outcome.stdout).not.toContain(created.slice(12));
  });

  it('revokes by name and by id, and says so', async () => {
    const byName = await keys('revoke', 'simulator');
    expect(byName).toMatchObject({ code: 0, stdout: '' });
    expect(byName.stderr).toMatch(/^Revoked key 1 "simulator" at \d{4}-/);
    expect((await keys('revoke', '2')).stderr).toMatch(/^Revoked key 2 "ci"/);
    const listed = (await keys('list')).stdout.trim().split('\n').slice(1);
    expect(listed.map((line) => line.split(/\s+/)[5])).toEqual([
      expect.stringMatching(/Z$/),
      expect.stringMatching(/Z$/),
    ]);
    // The name is free again.
    expect((await keys('create', 'simulator')).code).toBe(0);
  });

  it.each([
    [['create'], 2, /create takes exactly one name, got 0/],
    [['create', '42'], 1, /"42" is not a valid key name/],
    [['create', 'simulator'], 1, /already named "simulator"; revoke it first/],
    [['create', 'x', '--rate', '5/day'], 2, /--rate: "5\/day" is not a rate limit/],
    [['revoke', 'nobody'], 1, /no key in use is named "nobody"/],
    [['revoke', '99'], 1, /no key has the id 99/],
    [['list', '--rate', '1/s'], 2, /--rate goes with create/],
    [['rotate'], 2, /unknown command "rotate"/],
    [[], 2, /no command/],
  ])('answers %j with exit code %i and a clear message', async (args, code, message) => {
    const outcome = await keys(...args);
    expect(outcome.code).toBe(code);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(message);
  });

  it('explains itself with --help', async () => {
    const outcome = await keys('--help');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/create <name> \[--rate <limit>\]/);
    expect(outcome.stdout).toMatch(/revoke <id\|name>/);
  });
});
