import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import type { LianxinFunction } from './lianxin-function.ts';

/** AWS's advice for SQS event sources: a visibility timeout of at least six times the function timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

export interface SendQueueConsumerOptions {
  /** @default 10 */
  readonly batchSize?: number;
  /** How many workers the queue drives at once (SQS allows 2–1000): keeps within Twilio's rate. @default 2 */
  readonly maxConcurrency?: number;
  /** @default - none */
  readonly maxBatchingWindow?: Duration;
}

export interface SendQueueConsumer extends SendQueueConsumerOptions {
  readonly fn: LianxinFunction;
}

export interface SendQueueProps {
  /** The customer-managed data key: messages carry names, phone numbers and what a carer wrote. */
  readonly encryptionKey: IKey;
  /** The longest timeout a consumer may have. @default 30 s */
  readonly consumerTimeout?: Duration;
  /** @default six times `consumerTimeout`; never less */
  readonly visibilityTimeout?: Duration;
  /** Receives before SQS moves a message to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  readonly removalPolicy: RemovalPolicy;
  /** Workers to attach now; more with `addConsumer`. */
  readonly consumers?: readonly SendQueueConsumer[];
}

/**
 * The one path every outbound message takes (SQS → send worker → channel): encrypted with the data key,
 * TLS enforced, a dead-letter queue after `maxReceiveCount` receives. Workers attach with partial batch
 * failures and capped concurrency. Alarms: Alarms.watchSendQueue.
 */
export class SendQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly consumerTimeout: Duration;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: SendQueueProps) {
    super(scope, id);
    this.consumerTimeout = props.consumerTimeout ?? Duration.seconds(30);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    const minimumVisibility = this.consumerTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO;
    const visibility = props.visibilityTimeout?.toSeconds() ?? minimumVisibility;
    if (visibility < minimumVisibility) {
      throw new Error(
        `${this.node.path}: visibility timeout ${visibility}s is less than ${VISIBILITY_TO_TIMEOUT_RATIO}× the consumer timeout`,
      );
    }
    const common = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // SQS reuses a data key this long before asking KMS again: fewer KMS requests, same protection.
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...common,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      ...common,
      visibilityTimeout: Duration.seconds(visibility),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
    for (const { fn, ...options } of props.consumers ?? []) this.addConsumer(fn, options);
  }

  /**
   * Attaches a worker: an SQS event source with partial batch failures (the handler returns
   * `batchItemFailures`) and capped concurrency. The event source grants receive, delete and change
   * visibility (and kms:Decrypt); what the worker's code sends itself (a dead letter with a reason)
   * comes with `bind`.
   * Refuses a worker whose timeout exceeds `consumerTimeout`.
   */
  addConsumer(fn: LianxinFunction, options: SendQueueConsumerOptions = {}): SqsEventSource {
    const timeout = (fn.timeout ?? Duration.seconds(3)).toSeconds();
    if (timeout > this.consumerTimeout.toSeconds()) {
      throw new Error(
        `${fn.node.path}: timeout ${timeout}s exceeds the send queue's consumerTimeout ` +
          `${this.consumerTimeout.toSeconds()}s (the visibility timeout must stay ≥ ${VISIBILITY_TO_TIMEOUT_RATIO}× it)`,
      );
    }
    const source = new SqsEventSource(this.queue, {
      reportBatchItemFailures: true,
      batchSize: options.batchSize ?? 10,
      maxConcurrency: options.maxConcurrency ?? 2,
      maxBatchingWindow: options.maxBatchingWindow,
    });
    fn.addEventSource(source);
    return source;
  }

  /**
   * Grants the queue actions of `access` (what the function's code sends, from its wiring:
   * lib/store/iam-actions.ts) on the send queue and the dead-letter queue, and the two key actions SQS
   * needs from a producer of an encrypted queue. Nothing when the code sends nothing to either.
   */
  bind(fn: LianxinFunction, access: AwsAccess): void {
    for (const [target, queue] of [
      ['sendQueue', this.queue],
      ['deadLetterQueue', this.deadLetterQueue],
    ] as const) {
      const actions = access[target] ?? [];
      if (actions.length === 0) continue;
      fn.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [queue.queueArn] }));
      const key = queue.encryptionMasterKey;
      if (key && actions.includes('sqs:SendMessage')) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
        );
      }
    }
  }
}
