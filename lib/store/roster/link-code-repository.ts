import { randomInt } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LINK_CODE_DIGITS, LINK_CODE_TTL_DAYS } from '#lib/domain/link-code.ts';
import type { ChannelName } from '#lib/domain/model.ts';
import { DependencyError } from '#lib/errors.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { epochSeconds, keys, refAttributes } from '#lib/store/keys.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const ISSUE_ATTEMPTS = 5;

export interface IssuedCode {
  code: string;
  contactId: string;
  expiresAt: Date;
}

/**
 * One-time link codes (`LINKCODE#<code>`) and the count of wrong codes per address and hour.
 * A code is consumed by a conditional update, so two people cannot both use it; the one who used it
 * may present it again (a retried message) and still succeed.
 */
export class LinkCodeRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  /** A fresh random code for the contact, valid for a week. (A live code is never reissued to another.) */
  async issue(
    contactId: string,
    now: Date,
    random: (max: number) => number = randomInt,
  ): Promise<IssuedCode> {
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_DAYS * DAY_MS);
    for (let attempt = 1; attempt <= ISSUE_ATTEMPTS; attempt++) {
      const code = String(random(10 ** LINK_CODE_DIGITS)).padStart(LINK_CODE_DIGITS, '0');
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...keys.linkCode(code),
              ...refAttributes({ contactId }, keys.linkCode(code)),
              entity: 'link-code',
              contactId,
              status: 'active',
              issuedAt: now.toISOString(),
              expiresAtMs: expiresAt.getTime(),
              ttl: epochSeconds(new Date(expiresAt.getTime() + DAY_MS)),
            },
            // A collision with a live code draws again; an expired one may be reused.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAtMs < :now',
            ExpressionAttributeValues: { ':now': now.getTime() },
          }),
        );
        return { code, contactId, expiresAt };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw new DependencyError('issuing a link code failed', { cause: error });
      }
    }
    throw new DependencyError(`no free link code after ${ISSUE_ATTEMPTS} draws`);
  }

  /** Uses the code for `address`: the contact it was issued to, or undefined (unknown, expired, used). */
  async redeem(code: string, address: string, now: Date): Promise<string | undefined> {
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.linkCode(code),
          UpdateExpression: 'SET #status = :used, usedBy = :address, usedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND expiresAtMs > :now AND (#status = :active OR usedBy = :address)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':used': 'used',
            ':active': 'active',
            ':address': address,
            ':at': now.toISOString(),
            ':now': now.getTime(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return typeof out.Attributes?.contactId === 'string' ? out.Attributes.contactId : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyError('redeeming a link code failed', { cause: error });
    }
  }

  /** Linking failed after the code was taken: it is live again for its owner. */
  async release(code: string, address: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.linkCode(code),
          UpdateExpression: 'SET #status = :active REMOVE usedBy, usedAt',
          ConditionExpression: 'usedBy = :address',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active', ':address': address },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyError('releasing a link code failed', { cause: error });
    }
  }

  /** Wrong codes from this address in the current hour. */
  async failures(channel: ChannelName, address: string, now: Date): Promise<number> {
    try {
      const out = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: keys.linkFailures(channel, address, hourOf(now)),
          ConsistentRead: true,
        }),
      );
      return Number(out.Item?.count ?? 0);
    } catch (error) {
      throw new DependencyError('reading link failures failed', { cause: error });
    }
  }

  /** Counts one more wrong code; returns the count for this hour. */
  async countFailure(channel: ChannelName, address: string, now: Date): Promise<number> {
    const hour = hourOf(now);
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.linkFailures(channel, address, hour),
          UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':ttl': epochSeconds(new Date(Date.parse(`${hour}:00:00Z`) + 2 * HOUR_MS)),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.count ?? 1);
    } catch (error) {
      throw new DependencyError('counting a link failure failed', { cause: error });
    }
  }
}

/** 2026-03-05T10 (UTC): the rate limit's window. */
function hourOf(now: Date): string {
  return now.toISOString().slice(0, 13);
}
