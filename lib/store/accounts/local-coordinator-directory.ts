// `npm start` only: the coordinators' accounts in the table, standing in for the Cognito user pool.
// The local sign-in page lists them and signs a token with their centres and admin flag; the console's
// 协调员 page invites into here. One partition: a local roster has a handful of coordinators.
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  CoordinatorAccount,
  CoordinatorDirectory,
  CoordinatorInvitation,
} from '#lib/ports/coordinator-directory.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { parseItem } from '#lib/store/item-schemas.ts';
import { keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import * as z from '#lib/zod.ts';

const accountItem = z.lazy(() =>
  z.object({
    accountId: z.string(),
    name: z.string(),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    centres: z.array(z.string()),
    admin: z.boolean(),
    status: z.enum(['invited', 'active']),
  }),
);

export class LocalCoordinatorDirectory implements CoordinatorDirectory {
  static readonly awsAccess: AwsAccess = {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(opts: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#tableName = opts.tableName;
  }

  async #all(): Promise<CoordinatorAccount[]> {
    const items = await queryPartition(
      this.#client,
      this.#tableName,
      'list local accounts',
      prefixes.localAccountPk,
      prefixes.localAccount,
    );
    return items.map((item) => toAccount(parseItem(accountItem, item, 'local account')));
  }

  /** Every local account (the local sign-in page). */
  async listAll(): Promise<CoordinatorAccount[]> {
    return (await this.#all()).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  async listForCentres(centres: ReadonlySet<string>): Promise<CoordinatorAccount[]> {
    return (await this.listAll()).filter((a) => a.centres.some((c) => centres.has(c)));
  }

  async get(id: string): Promise<CoordinatorAccount | undefined> {
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: keys.localAccount(id), ConsistentRead: true }),
    );
    return out.Item ? toAccount(parseItem(accountItem, out.Item, 'local account')) : undefined;
  }

  async findByContact(contact: { email?: string; phone?: string }): Promise<CoordinatorAccount | undefined> {
    return (await this.#all()).find(
      (a) =>
        (contact.email !== undefined && a.email === contact.email) ||
        (contact.phone !== undefined && a.phone === contact.phone),
    );
  }

  async invite(invitation: CoordinatorInvitation): Promise<CoordinatorAccount> {
    return this.put({
      id: `coord-${randomUUID()}`,
      name: invitation.name,
      ...(invitation.email ? { email: invitation.email } : {}),
      ...(invitation.phone ? { phone: invitation.phone } : {}),
      centres: [...invitation.centres],
      admin: false,
      status: 'invited',
    });
  }

  /** Writes an account unless one with its id exists (the demo seed, run at every start). */
  async ensure(account: CoordinatorAccount): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: itemOf(account),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async put(account: CoordinatorAccount): Promise<CoordinatorAccount> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: itemOf(account) }));
    return account;
  }

  async setCentres(id: string, centres: readonly string[]): Promise<CoordinatorAccount | undefined> {
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.localAccount(id),
          UpdateExpression: 'SET centres = :centres',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':centres': [...centres] },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toAccount(parseItem(accountItem, out.Attributes, 'local account'));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }
}

function itemOf(account: CoordinatorAccount): Record<string, unknown> {
  const { id, ...rest } = account;
  return { ...keys.localAccount(id), accountId: id, ...rest };
}

function toAccount(item: z.output<typeof accountItem>): CoordinatorAccount {
  const { accountId, email, phone, ...rest } = item;
  return { id: accountId, ...(email ? { email } : {}), ...(phone ? { phone } : {}), ...rest };
}
