import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DocumentClientOptions {
  region: string;
  /** DynamoDB Local's URL; when set, dummy credentials are used (Local accepts any). */
  endpoint?: string | undefined;
  /** Called once per HTTP request actually sent, retries included (the bench counts requests per turn). */
  onRequest?: ((commandName: string) => void) | undefined;
  /**
   * Sockets to DynamoDB at once (the SDK's default is 50; more requests wait for one): for a process
   * that stands for several Lambda instances at once (the send bench).
   */
  maxSockets?: number | undefined;
}

export const REQUEST_COUNTER_MIDDLEWARE = 'lianxinRequestCounter';

export function createDocumentClient(opts: DocumentClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint === undefined
      ? {}
      : { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    ...(opts.maxSockets === undefined
      ? {}
      : {
          requestHandler: {
            httpAgent: { maxSockets: opts.maxSockets },
            httpsAgent: { maxSockets: opts.maxSockets },
          },
        }),
  });
  const onRequest = opts.onRequest;
  if (onRequest) {
    // finalizeRequest at low priority sits inside the retry middleware (high priority in the same
    // step), so it runs once per attempt rather than once per command.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        onRequest(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: REQUEST_COUNTER_MIDDLEWARE },
    );
  }
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
