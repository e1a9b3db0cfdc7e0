import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { OutboundPort, OutboundRequest } from '#lib/ports/outbound.ts';
import { keys } from '#lib/store/keys.ts';

/**
 * Records each started message once per idempotency key (conditional put, status `queued`).
 * The send queue and worker that drain it in AWS belong to the outbound-delivery work; locally,
 * `deliverNow` hands a newly queued message straight to the local outbox.
 */
export class DynamoOutboundStore implements OutboundPort {
  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      tableName: string;
      clock: Clock;
      messageLogTtlDays: number;
      deliverNow?: OutboundChannel | undefined;
    },
  ) {}

  async enqueue(request: OutboundRequest): Promise<boolean> {
    const { client, tableName, clock, messageLogTtlDays, deliverNow } = this.options;
    const now = clock.now();
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.outbound(request.key),
            ...request,
            status: 'queued',
            createdAt: now.toISOString(),
            ttl: Math.floor(now.getTime() / 1000) + messageLogTtlDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    if (deliverNow) {
      const { providerId } = await deliverNow.send(request.address, request.body);
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.outbound(request.key),
          UpdateExpression: 'SET #status = :sent, providerId = :pid, sentAt = :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':pid': providerId,
            ':at': clock.now().toISOString(),
          },
        }),
      );
    }
    return true;
  }
}
