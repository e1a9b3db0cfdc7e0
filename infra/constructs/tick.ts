import { Duration } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, type ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';

/**
 * LambdaInvoke grants lambda:InvokeFunction on the function and `<arn>:*` (every version); the tick
 * invokes $LATEST only, so its role gets exactly the function's ARN.
 */
class InvokeLatest extends LambdaInvoke {
  readonly #fn: IFunction;

  constructor(fn: IFunction, props: ConstructorParameters<typeof LambdaInvoke>[1]) {
    super(fn, props);
    this.#fn = fn;
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.#fn.functionArn] }),
    );
  }
}

export interface TickProps {
  readonly fn: IFunction;
  /** e.g. `ScheduleExpression.rate(Duration.minutes(5))`, or a cron with `TimeZone.ASIA_SHANGHAI`. */
  readonly schedule: ScheduleExpression;
  readonly description: string;
}

/**
 * A recurring EventBridge Scheduler invocation of a function (the scheduler tick). A missed tick is
 * not retried: the next one does its work, and the function is idempotent.
 */
export class Tick extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: TickProps) {
    super(scope, id);
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: props.schedule,
      description: props.description,
      target: new InvokeLatest(props.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(5) }),
    });
  }
}
