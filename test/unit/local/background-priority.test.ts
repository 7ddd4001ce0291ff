import { type ChildProcess, spawn } from 'node:child_process';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import { BACKGROUND_NICE, backgroundProcess } from '../../../local/background-priority.ts';
import { threadsOf as threads } from '../../support/proc.ts';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/** A Node process that starts a child of its own and prints its pid, then idles. */
function parentWithChild(): Promise<{ parent: number; child: number }> {
  const parent = spawn(
    process.execPath,
    [
      '-e',
      `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       process.on('exit', () => c.kill('SIGKILL'));
       console.log(c.pid); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  started.push(parent);
  return new Promise((resolve) =>
    parent.stdout?.once('data', (data) =>
      resolve({ parent: parent.pid!, child: Number(String(data).trim()) }),
    ),
  );
}

describe.runIf(process.platform === 'linux')('background priority (real processes, /proc)', () => {
  it('lowers every thread of a process and of its children, and leaves this process alone', async () => {
    const { parent, child } = await parentWithChild();
    // Node's helper threads exist once it is running.
    await waitFor(
      'the child’s V8 helpers',
      async () => (threads(child).length > 1 ? true : undefined),
      10_000,
    );
    const own = getPriority();
    expect(threads(parent).every((thread) => thread.nice === own)).toBe(true);
    backgroundProcess(parent);
    for (const pid of [parent, child]) {
      const all = threads(pid);
      expect(all.length).toBeGreaterThan(1);
      expect(all.map((thread) => thread.nice)).toEqual(all.map(() => Math.min(19, own + BACKGROUND_NICE)));
    }
    expect(getPriority()).toBe(own);
  });

  it('lowers only the V8 helper threads of the process that asks, not its event loop', async () => {
    const program = `
      const { backgroundV8Helpers } = await import(${JSON.stringify(new URL('../../../local/background-priority.ts', import.meta.url).href)});
      backgroundV8Helpers();
      const { readdirSync, readFileSync } = await import('node:fs');
      const threads = readdirSync('/proc/self/task').map((t) => {
        const stat = readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
        return { name: readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim(), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]), main: Number(t) === process.pid };
      });
      console.log(JSON.stringify(threads));`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      started.push(child);
      let text = '';
      child.stdout?.on('data', (data) => {
        text += String(data);
      });
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exited ${code}`))));
    });
    const all = JSON.parse(output) as { name: string; nice: number; main: boolean }[];
    const helpers = all.filter((thread) => thread.name.startsWith('V8Worker'));
    expect(helpers.length).toBeGreaterThan(0);
    expect(helpers.every((thread) => thread.nice === Math.min(19, getPriority() + BACKGROUND_NICE))).toBe(
      true,
    );
    expect(all.find((thread) => thread.main)?.nice).toBe(getPriority());
  });
});
