import { Duration } from 'aws-cdk-lib';
import { InvocationType, Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { type DeployedFunction, pascalCase } from './topology-functions.ts';

export interface DeployTriggersProps {
  /** Every deployed function; those with a `deploy` trigger are invoked after a deploy. */
  readonly functions: readonly DeployedFunction[];
  /** What must exist before they run (the lake, the secrets, the other functions). */
  readonly executeAfter: readonly Construct[];
}

/**
 * Invokes each deploy-triggered function once the stack is deployed, again whenever a deploy changes it
 * (aws-cdk-lib `triggers.Trigger`, a custom resource). Asynchronously (`Event`): a catalog asked of a chat
 * model can take minutes, longer than a custom resource may wait, and its failure must not roll the deploy
 * back; Lambda retries a failed asynchronous run twice.
 */
export class DeployTriggers extends Construct {
  readonly triggers: readonly Trigger[];

  constructor(scope: Construct, id: string, props: DeployTriggersProps) {
    super(scope, id);
    this.triggers = props.functions.flatMap(({ declaration, fn }) =>
      declaration.trigger.kind === 'deploy'
        ? [
            new Trigger(this, `${pascalCase(declaration.name)}AfterDeploy`, {
              handler: fn,
              invocationType: InvocationType.EVENT,
              timeout: Duration.minutes(1),
              executeAfter: [...props.executeAfter],
            }),
          ]
        : [],
    );
  }
}
