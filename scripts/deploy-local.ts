/**
 * Deploys the whole CDK app to a LocalStack-compatible emulator and checks that it works:
 *
 *   npm run deploy:local [-- --no-smoke] [-- -c key=value …]
 *
 * 1. starts what it needs, unless running: the emulator (MiniStack, `services:up -- emulator`) and PostgreSQL
 *    for the deployed functions (`services:up -- postgres`);
 * 2. `cdklocal bootstrap` and `cdklocal deploy` with the Kinesis transport (the emulators have no MSK) and
 *    this machine's architecture (the emulator runs the functions here, DuckDB's binary included);
 * 3. puts the PostgreSQL URL into the stack's database secret, as a user would, and creates an API key for
 *    POST /v1/plays in that database (kept in .data/deploy-local/api-key while it stays in use);
 * 4. the smoke test (scripts/deploy/smoke.ts): plays in through the deployed API, out as charts.
 *
 * Extra arguments go to `cdklocal deploy`. Outputs land in .data/deploy-local/outputs.json. See docs/deploy.md.
 */
import { join } from 'node:path';
import { ServiceError, say } from '../devkit/services/process.ts';
import { deployToEmulator } from './deploy/emulator-deploy.ts';
import { SmokeTestError, smokeTest } from './deploy/smoke.ts';

try {
  const args = process.argv.slice(2);
  const smoke = !args.includes('--no-smoke');
  const deployed = await deployToEmulator({
    extraArgs: args.filter((arg) => arg !== '--no-smoke'),
    outputsFile: join(import.meta.dirname, '..', '.data', 'deploy-local', 'outputs.json'),
  });
  if (smoke) await smokeTest(deployed.stack, { ...deployed, say });
  say(`\nDeployed ${deployed.stack.stackName} to ${deployed.endpoint}${smoke ? ', smoke test passed' : ''}.`);
  const apiId = new URL(deployed.stack.apiUrl).hostname.split('.')[0];
  const host = `${apiId}.execute-api.localhost:${new URL(deployed.endpoint).port}`;
  say(`Call the API through the emulator with its Host header (POST /v1/plays with the API key), e.g.:
  curl -H 'Host: ${host}' ${deployed.endpoint}/v1/regions
  curl -H 'Host: ${host}' -H "Authorization: Bearer $(cat ${deployed.apiKeyFile})" \\
    -H 'content-type: application/json' -d '{"events": [...]}' ${deployed.endpoint}/v1/plays`);
} catch (error) {
  say(
    error instanceof ServiceError || error instanceof SmokeTestError
      ? `deploy:local: ${error.message}`
      : `deploy:local: ${(error as Error).stack ?? error}`,
  );
  process.exitCode = 1;
}
