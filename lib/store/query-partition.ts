import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#lib/errors.ts';

/**
 * Every item of one partition (optionally those whose sk starts with a prefix), page after page,
 * with a strongly consistent read. A failure is a DependencyError naming `what`.
 */
export async function queryPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  what: string,
  pk: string,
  skPrefix?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  try {
    do {
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':prefix': skPrefix } : { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    throw new DependencyError(`${what} failed`, { cause: error });
  }
  return items;
}
