import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';

/**
 * API Gateway gives us the path and query but not the URL the provider signed, which is the
 * public one (custom domain, https): rebuild it from the configured PUBLIC_URL and the raw path/query.
 */
export function toWebhookRequest(event: APIGatewayProxyEventV2, publicUrl: string): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return {
    method: event.requestContext?.http?.method ?? 'POST',
    url: `${publicUrl}${event.rawPath}${query}`,
    headers,
    body,
    receivedAt: event.requestContext?.timeEpoch,
  };
}

export function toApiGatewayResult(response: WebhookResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}
