import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LianxinFunction } from './lianxin-function.ts';

/** AWS's advice for SQS event sources: visibility timeout at least six times the function timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

export interface SendQueueConsumerOptions {
  /** @default 10 */
  readonly batchSize?: number;
  /** Caps how many concurrent workers the queue drives (2–1000): protects Twilio's rate limit. @default 2 */
  readonly maxConcurrency?: number;
  /** @default - no batching window */
  readonly maxBatchingWindow?: Duration;
}

export interface SendQueueConsumer extends SendQueueConsumerOptions {
  readonly fn: LianxinFunction;
}

export interface SendQueueProps {
  /** The customer-managed key of the data (messages carry names and phone numbers). */
  readonly encryptionKey: IKey;
  /** The longest timeout any consumer may have; the visibility timeout is six times it. @default 30 s */
  readonly consumerTimeout?: Duration;
  /** Receives before a message goes to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  readonly removalPolicy: RemovalPolicy;
  /** Workers to attach now; more with `addConsumer`. */
  readonly consumers?: readonly SendQueueConsumer[];
}

/**
 * The one path every outbound message takes (SQS → send worker → channel): encrypted with the data key,
 * TLS enforced, a dead-letter queue after `maxReceiveCount` receives, workers attached with partial batch
 * failures. Alarms: see Alarms.watchSendQueue.
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
    const encryption = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // SQS reuses a data key this long before asking KMS again: fewer KMS requests, same protection.
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...encryption,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      ...encryption,
      visibilityTimeout: Duration.seconds(this.consumerTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
    for (const { fn, ...options } of props.consumers ?? []) this.addConsumer(fn, options);
  }

  /**
   * Attaches a worker: SQS event source with partial batch failures (the handler returns
   * `batchItemFailures`), capped concurrency. Refuses a worker whose timeout the visibility timeout
   * does not cover six times over.
   */
  addConsumer(fn: LianxinFunction, options: SendQueueConsumerOptions = {}): SqsEventSource {
    const timeout = (fn.timeout ?? Duration.seconds(3)).toSeconds();
    if (timeout > this.consumerTimeout.toSeconds()) {
      throw new Error(
        `${fn.node.path}: timeout ${timeout}s exceeds the send queue's consumerTimeout ` +
          `${this.consumerTimeout.toSeconds()}s (visibility timeout must be ≥ ${VISIBILITY_TO_TIMEOUT_RATIO}× it)`,
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
   * Lets a function enqueue: sqs:SendMessage on this queue, the key actions SQS needs from a producer
   * (GenerateDataKey, Decrypt), and the queue URL in `envName`.
   */
  bindSender(fn: LianxinFunction, envName = 'SEND_QUEUE_URL'): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    const key = this.queue.encryptionMasterKey;
    if (key) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
      );
    }
    fn.setEnv(envName, this.queue.queueUrl);
  }
}
