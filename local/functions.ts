import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { withDeadline } from '../src/ports/deadline.ts';
import { type FunctionDeclaration, type FunctionName, functionNamed } from '../src/topology.ts';
import { runAsFunction } from '../src/wiring/database-pools.ts';
import { lambdaContext } from './lambda-events.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export const projectRoot = resolve(import.meta.dirname, '..');

const loaded = new Map<string, Promise<Handler>>();

async function loadHandler(entry: string): Promise<Handler> {
  const module = (await import(pathToFileURL(resolve(projectRoot, entry)).href)) as {
    handler?: Handler;
  };
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler;
}

export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

/**
 * Invokes a topology function in this process, as Lambda would: its event, a context, its timeout, and its own
 * database pool (database-pools.ts).
 */
export async function invokeFunction(name: FunctionName, event: unknown): Promise<unknown> {
  return invokeDeclared(functionNamed(name), event);
}

/**
 * Invokes the handler a declaration names (its `entry`) in this process, with its timeout: the topology's
 * functions through `invokeFunction`, and the scheduled jobs' own processes (job-process-main.ts) with the
 * declaration their parent sent.
 */
export async function invokeDeclared(
  declaration: Pick<FunctionDeclaration, 'name' | 'entry' | 'timeoutSeconds'>,
  event: unknown,
): Promise<unknown> {
  const { name } = declaration;
  let handler = loaded.get(declaration.entry);
  if (!handler) {
    handler = loadHandler(declaration.entry);
    loaded.set(declaration.entry, handler);
  }
  const context = lambdaContext(name, declaration.timeoutSeconds);
  const run = await handler;
  return withDeadline(
    runAsFunction(name, () => run(event, context)),
    declaration.timeoutSeconds * 1000,
    () => new FunctionTimeoutError(`${name} timed out after ${declaration.timeoutSeconds} s`),
  );
}
