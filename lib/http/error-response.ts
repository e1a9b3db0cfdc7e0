import { NotFoundError, SignatureError, ValidationError } from '#lib/errors.ts';
import type { WebhookResponse } from '#lib/ports/channel.ts';

const text = (statusCode: number, body: string, extra: Record<string, string> = {}): WebhookResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body,
});

/** The one place errors become HTTP. Only ValidationError messages are shown to the caller. */
export function errorResponse(error: unknown, requestId: string): WebhookResponse {
  if (error instanceof SignatureError) return text(403, 'forbidden');
  if (error instanceof ValidationError) return text(400, error.message.split('\n')[0] ?? 'bad request');
  if (error instanceof NotFoundError) return text(404, 'not found');
  return text(500, `internal error (request ${requestId})`, { 'x-request-id': requestId });
}
