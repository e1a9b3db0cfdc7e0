// A TransactionConflict (another request touching the same item at that moment) is not retried by
// the SDK: a claim and a broadcast update try again a few times before giving up.
import {
  type CancellationReason,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DependencyError } from '#lib/errors.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

/** A client whose first `failures` sends throw `error()`, the rest answer `{}`. */
function fakeClient(error: () => Error, failures: number) {
  const sent: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      if (sent.length <= failures) throw error();
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

const cancelled = (reasons: CancellationReason[]) => () =>
  new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: reasons });
const conflict = cancelled([{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }]);

const claimOptions = {
  key: 'broadcast#b1#c1',
  contactId: 'c1',
  addressKey: 'sms:+8613900000001',
  now: new Date('2026-12-05T02:00:00Z'),
  broadcastId: 'b1',
};

const outbound = (client: DynamoDBDocumentClient) =>
  new DynamoOutboundRepository({ client, tableName: 't', messageLogTtlDays: 30 });

describe('claiming a message', () => {
  it('tries again after a TransactionConflict, and claims', async () => {
    const { client, sent } = fakeClient(conflict, 1);
    await expect(outbound(client).claim(claimOptions)).resolves.toEqual({ result: 'claimed' });
    expect(sent).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
  });

  it('gives up with a DependencyError after a bounded number of tries', async () => {
    const { client, sent } = fakeClient(conflict, Number.POSITIVE_INFINITY);
    await expect(outbound(client).claim(claimOptions)).rejects.toBeInstanceOf(DependencyError);
    expect(sent).toHaveLength(5);
  });

  it('does not try again when a condition decides the outcome', async () => {
    const { client, sent } = fakeClient(
      cancelled([{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'ConditionalCheckFailed' }]),
      Number.POSITIVE_INFINITY,
    );
    await expect(outbound(client).claim(claimOptions)).resolves.toEqual({ result: 'cancelled' });
    expect(sent).toHaveLength(1);
  });

  it('does not try again on other cancellations', async () => {
    const { client, sent } = fakeClient(
      cancelled([{ Code: 'None' }, { Code: 'ThrottlingError' }, { Code: 'None' }]),
      Number.POSITIVE_INFINITY,
    );
    await expect(outbound(client).claim(claimOptions)).rejects.toBeInstanceOf(DependencyError);
    expect(sent).toHaveLength(1);
  });
});

describe('updating a broadcast (cancel)', () => {
  const txConflict = () => new TransactionConflictException({ message: 'x', $metadata: {} });
  const broadcasts = (client: DynamoDBDocumentClient) => new BroadcastRepository({ client, tableName: 't' });
  const at = new Date('2026-12-05T02:00:00Z');

  it('tries again after a TransactionConflictException, and cancels', async () => {
    const { client, sent } = fakeClient(txConflict, 2);
    await expect(broadcasts(client).cancel('b1', 'coordinator-1', at)).resolves.toBe('done');
    expect(sent).toEqual(['UpdateCommand', 'UpdateCommand', 'UpdateCommand']);
  });

  it('gives up with a DependencyError after a bounded number of tries', async () => {
    const { client, sent } = fakeClient(txConflict, Number.POSITIVE_INFINITY);
    await expect(broadcasts(client).cancel('b1', 'coordinator-1', at)).rejects.toBeInstanceOf(
      DependencyError,
    );
    expect(sent).toHaveLength(5);
  });
});
