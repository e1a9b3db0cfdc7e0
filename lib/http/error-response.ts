import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  SignatureError,
  UnauthorizedError,
  ValidationError,
} from '#lib/errors.ts';
import type { WebhookResponse } from '#lib/ports/channel.ts';

const text = (statusCode: number, body: string, extra: Record<string, string> = {}): WebhookResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body,
});

/** The one place errors become HTTP. Only ValidationError, ForbiddenError and ConflictError messages are shown to the caller. */
export function errorResponse(error: unknown, requestId: string): WebhookResponse {
  if (error instanceof SignatureError) return text(403, 'forbidden');
  if (error instanceof ValidationError) return text(400, error.message.split('\n')[0] ?? 'bad request');
  if (error instanceof NotFoundError) return text(404, 'not found');
  if (error instanceof UnauthorizedError) return text(401, 'unauthorized', { 'www-authenticate': 'Bearer' });
  if (error instanceof ForbiddenError) return text(403, error.message.split('\n')[0] ?? 'forbidden');
  if (error instanceof PayloadTooLargeError) return text(413, 'request body too large');
  if (error instanceof ConflictError) return text(409, error.message.split('\n')[0] ?? 'conflict');
  return text(500, `internal error (request ${requestId})`, { 'x-request-id': requestId });
}
