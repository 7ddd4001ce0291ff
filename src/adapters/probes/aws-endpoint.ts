import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type ConnectionProbe, ok } from '../../ports/connection-probe.ts';
import { awsRefusal } from './aws-errors.ts';

/**
 * The AWS endpoint a deploy goes to (AWS_ENDPOINT_URL: an emulator, or AWS itself) answers and takes the
 * credentials: STS GetCallerIdentity, the call that needs no permission at all.
 */
export function awsEndpointProbe(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly timeoutMs: number;
}): ConnectionProbe {
  return {
    service: 'aws',
    target: options.endpoint,
    silentHint: 'is the AWS emulator running? npm run services:up -- emulator, or check AWS_ENDPOINT_URL',
    check: async (signal) => {
      const client = new STSClient({
        region: options.region,
        endpoint: options.endpoint,
        requestHandler: new NodeHttpHandler({ requestTimeout: options.timeoutMs }),
        maxAttempts: 1,
      });
      try {
        const identity = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        return ok(`account ${identity.Account ?? '?'} as ${identity.Arn ?? '?'}`);
      } catch (error) {
        return awsRefusal(error, {
          service: 'AWS',
          setting: 'AWS_ENDPOINT_URL',
          start: 'npm run services:up -- emulator',
        });
      } finally {
        client.destroy();
      }
    },
  };
}
