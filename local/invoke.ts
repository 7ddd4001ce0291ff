/**
 * `npm run invoke -- <function> [--event <file>|-] [--api-key <key>]`: runs one function of the topology in
 * this process with one event, against the same lake and database settings as `npm start`. An HTTP event
 * for a route behind an authorizer goes through the local gateway's authorizer step first, as in the cloud.
 */
import './quiet-logs.ts';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  type FunctionDeclaration,
  type FunctionName,
  functionNamed,
  functionNames,
} from '../src/topology.ts';
import { installDependencies } from '../src/wiring/dependencies.ts';
import { ensureDevApiKey } from './dev-api-key.ts';
import { invokeFunction } from './functions.ts';
import { authorizerOfRoute, createGatewayAuthorizer } from './gateway-authorizer.ts';
import { openLocalDependencies } from './local-dependencies.ts';
import { firstLine, startupFailure } from './startup-failure.ts';

const usage = `Usage: npm run invoke -- <function> [--event <file>|-] [--api-key <key>]

  <function>   one of: ${functionNames.join(', ')}
  --event      a JSON event file, or - to read it from standard input (default: {})
  --api-key    for an API Gateway event of a route behind an authorizer (POST /v1/plays) that carries no
               Authorization header: the key to send as "Authorization: Bearer <key>" (default:
               TOP_SONGS_API_KEY, else local mode's development key, <TOP_SONGS_DATA_DIR>/dev-api-key,
               created if need be). The event then goes through the authorizer first, as API Gateway does.

Examples:
  npm run invoke -- chart-hourly --event test/fixtures/events/chart-hourly-backfill.json
  npm run invoke -- ingest --event test/fixtures/events/api-gateway-v2-post-plays.json`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    event: { type: 'string' },
    'api-key': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const name = positionals[0];
if (values.help || !name) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
if (!functionNames.includes(name as FunctionName)) {
  console.error(`Unknown function "${name}"; expected one of ${functionNames.join(', ')}`);
  process.exit(2);
}

let event: unknown = {};
if (values.event) {
  const text = values.event === '-' ? await readStdin() : await readFile(values.event, 'utf8');
  try {
    event = JSON.parse(text);
  } catch (error) {
    console.error(`The event is not valid JSON: ${(error as Error).message}`);
    process.exit(2);
  }
}

const { settings, dependencies, close } = await openLocalDependencies(process.env).catch((error: unknown) => {
  console.error(startupFailure(error));
  process.exit(1);
});
installDependencies(dependencies);
let exitCode = 0;
try {
  const declaration = functionNamed(name as FunctionName);
  const result =
    declaration.trigger.kind === 'http'
      ? await createGatewayAuthorizer(invokeFunction, dependencies.clock).invokeRoute(
          declaration,
          await withAuthorization(event as APIGatewayProxyEventV2, declaration),
        )
      : await invokeFunction(declaration.name, event);
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  // One line; the stack is for whoever debugs the function.
  const debug = process.env.POWERTOOLS_LOG_LEVEL === 'DEBUG';
  console.error(
    debug
      ? `${name} failed: ${(error as Error).stack ?? error}`
      : `${name} failed: ${firstLine(error)} (POWERTOOLS_LOG_LEVEL=DEBUG shows where)`,
  );
  exitCode = 1;
} finally {
  await close();
}
process.exit(exitCode);

/** The event, with the API key as its Authorization header when its route needs one and it has none. */
async function withAuthorization(
  request: APIGatewayProxyEventV2,
  declaration: FunctionDeclaration,
): Promise<APIGatewayProxyEventV2> {
  const headers = request.headers ?? {};
  if (!authorizerOfRoute(declaration, request.routeKey) || headers.authorization !== undefined)
    return request;
  const given = values['api-key'] ?? settings.clientApiKey;
  const key = given || (await ensureDevApiKey(await dependencies.apiKeys(), settings.dataDir)).key;
  console.error(`invoke: ${request.routeKey} with ${given ? 'the given' : 'the development'} API key`);
  return { ...request, headers: { ...headers, authorization: `Bearer ${key}` } };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
