// Jobs: work too long for one request (erasure on request), done in bounded steps across invocations.
// One item per job under its Centre (CENTRE#<id> / JOB#<jobId>), so a coordinator's jobs are one Query
// and a job id is scoped like every other ref. While a job runs it is in the due index, so the scheduler
// tick carries on what the request that started it left; each write is conditional on the version
// read, so two runners of the same job (the request and a tick) never both apply a step.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#lib/errors.ts';
import { ifAbsent, ifVersion, isConditionFailed } from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { dueIndexKeys, type ItemKey, prefixes } from '#lib/store/keys.ts';

export const JOB_KINDS = ['erase-family', 'erase-contact'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATUSES = ['running', 'done', 'not-found'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobRecord<Plan = unknown> {
  jobId: string;
  centreId: string;
  kind: JobKind;
  /** The coordinator who started it. */
  by: string;
  createdAt: string;
  updatedAt: string;
  status: JobStatus;
  /** Steps done so far. */
  steps: number;
  /** Items deleted (or rewritten: `<kind>-updated`) so far, per kind: counts only. */
  deleted: Record<string, number>;
  /** Where the job stands (the work list and its cursor); removed when it finishes. */
  plan?: Plan | undefined;
  /** Parts of the work list done, and in all (progress). */
  done: number;
  total: number;
  /** The last step's failure (its kind only): the job stays due and is retried. */
  lastError?: string | undefined;
  finishedAt?: string | undefined;
  /** The audit entry the job left (erasure). */
  auditId?: string | undefined;
  version: number;
}

export const jobKey = (centreId: string, jobId: string): ItemKey => ({
  pk: prefixes.centrePk(centreId),
  sk: `${prefixes.job}${jobId}`,
});

/** The job's id in the due index. */
export const jobItemId = (jobId: string): string => `job#${jobId}`;

export class JobRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  async create<P>(job: Omit<JobRecord<P>, 'version'>): Promise<JobRecord<P>> {
    const created = { ...job, version: 1 };
    await this.#call('creating the job', () =>
      this.#client.send(new PutCommand({ TableName: this.#table, Item: this.#item(created), ...ifAbsent() })),
    );
    return created;
  }

  async get<P>(centreId: string, jobId: string): Promise<JobRecord<P> | undefined> {
    const out = await this.#call('reading the job', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: jobKey(centreId, jobId), ConsistentRead: true }),
      ),
    );
    return out.Item ? fromItem<P>(out.Item) : undefined;
  }

  /**
   * Writes the job as `next` if it is still at the version `next` was read at; false when another
   * runner wrote it meanwhile (this runner then stops: the other one carries on).
   */
  async save<P>(next: JobRecord<P>): Promise<JobRecord<P> | undefined> {
    const saved = { ...next, version: next.version + 1 };
    try {
      await this.#client.send(
        new PutCommand({ TableName: this.#table, Item: this.#item(saved), ...ifVersion(next.version) }),
      );
      return saved;
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw new DependencyError('saving the job failed', { cause: error });
    }
  }

  /** The Centre's jobs, newest first (at most `limit`). */
  async list(centreId: string, limit = 50): Promise<JobRecord[]> {
    const out: QueryCommandOutput = await this.#call('listing jobs', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': prefixes.centrePk(centreId), ':prefix': prefixes.job },
          ConsistentRead: true,
        }),
      ),
    );
    return (out.Items ?? [])
      .map((i) => fromItem(i))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit);
  }

  #item(job: JobRecord<unknown>): Record<string, unknown> {
    const { plan, ...rest } = job;
    return {
      ...jobKey(job.centreId, job.jobId),
      entity: 'job',
      ...rest,
      ...(plan === undefined ? {} : { plan }),
      // In the due index while it runs: the tick carries it on.
      ...(job.status === 'running' ? dueIndexKeys(jobItemId(job.jobId), new Date(job.updatedAt)) : {}),
    };
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError(`${what} failed`, { cause: error });
    }
  }
}

function fromItem<P>(item: Record<string, unknown>): JobRecord<P> {
  const { pk: _pk, sk: _sk, entity: _e, dueShard: _ds, dueKey: _dk, ...job } = item;
  return job as unknown as JobRecord<P>;
}
