import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { type DeployedFunction, pascalCase } from './topology-functions.ts';

export interface TopologySchedulesProps {
  /** Every deployed function; those with a `schedule` trigger get a rule. */
  readonly functions: readonly DeployedFunction[];
}

/**
 * An EventBridge rule per schedule-triggered function, at the declared fixed rate. The function gets
 * EventBridge's scheduled event, which the chart jobs read as "chart the latest closed window".
 * (`runAtStartup` is a local-runtime behaviour; a deployed job first runs one rate after deploy.)
 */
export class TopologySchedules extends Construct {
  readonly rules: readonly Rule[];

  constructor(scope: Construct, id: string, props: TopologySchedulesProps) {
    super(scope, id);
    const rules: Rule[] = [];
    for (const { declaration, fn } of props.functions) {
      if (declaration.trigger.kind !== 'schedule') continue;
      const every = Duration.minutes(declaration.trigger.everyMinutes);
      rules.push(
        new Rule(this, `${pascalCase(declaration.name)}Schedule`, {
          description: `Runs ${declaration.name} every ${declaration.trigger.everyMinutes} minute(s).`,
          schedule: Schedule.rate(every),
          // Jobs are idempotent and the next run covers a missed one: retry briefly, then let it go.
          targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
        }),
      );
    }
    this.rules = rules;
  }
}
