// Short references for a Centre's alerts and tasks (A7, T3), so a coordinator can answer one by
// text. One counter per Centre (CENTRE#<id> / REFSEQ); the reference is written on the alert or task
// itself, once: a second notifier (the tick's follow-up, a retried turn) finds it and reuses it.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { formatWorkRef, type WorkRefKind } from '#lib/domain/coordinator-commands.ts';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { type ItemKey, keys } from '#lib/store/keys.ts';

/** The counter of a Centre's references (no personal data: a number). */
const sequenceKey = (centreId: string): ItemKey => ({ pk: `CENTRE#${centreId}`, sk: 'REFSEQ' });

export class WorkReferenceRepository {
  /** Every action its methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /**
   * The alert's or task's reference, assigned on first use; undefined when the item is gone (erased).
   * `raisedBy` (the carer's contact id) is kept with it, for the state a coordinator asks for.
   */
  async assign(
    kind: WorkRefKind,
    centreId: string,
    id: string,
    raisedBy?: string,
  ): Promise<string | undefined> {
    const key = kind === 'alert' ? keys.centreAlert(centreId, id) : keys.centreTask(centreId, id);
    const existing = await this.#current(key);
    if (existing !== 'missing' && existing.ref) return existing.ref;
    if (existing === 'missing') return undefined;
    const ref = formatWorkRef(kind, await this.#next(centreId));
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: raisedBy
            ? 'SET #ref = :ref, raisedBy = if_not_exists(raisedBy, :by)'
            : 'SET #ref = :ref',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#ref)',
          ExpressionAttributeNames: { '#ref': 'ref' },
          ExpressionAttributeValues: raisedBy ? { ':ref': ref, ':by': raisedBy } : { ':ref': ref },
        }),
      );
      return ref;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        throw new DependencyError('writing the reference failed', { cause: error });
      // Another notifier assigned one first (its number stands; ours stays unused), or it was erased.
      const now = await this.#current(key);
      return now === 'missing' ? undefined : now.ref;
    }
  }

  async #current(key: ItemKey): Promise<{ ref?: string } | 'missing'> {
    try {
      const output = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: 'pk, #ref',
          ExpressionAttributeNames: { '#ref': 'ref' },
        }),
      );
      if (!output.Item) return 'missing';
      const ref = output.Item.ref;
      return typeof ref === 'string' ? { ref } : {};
    } catch (error) {
      throw new DependencyError('reading the reference failed', { cause: error });
    }
  }

  async #next(centreId: string): Promise<number> {
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: sequenceKey(centreId),
          UpdateExpression: 'SET entity = :entity ADD seq :one',
          ExpressionAttributeValues: { ':one': 1, ':entity': 'reference-sequence' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const seq = output.Attributes?.seq;
      if (typeof seq !== 'number') throw new Error('no sequence number returned');
      return seq;
    } catch (error) {
      throw new DependencyError('numbering the reference failed', { cause: error });
    }
  }
}
