import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConflictError,
  DependencyError,
  LianxinError,
  NotFoundError,
  PayloadTooLargeError,
  SignatureError,
  UnauthorizedError,
  ValidationError,
} from '#lib/errors.ts';
import { errorResponse } from '#lib/http/error-response.ts';

const REQUEST_ID = 'c0ffee00-1234-4abc-8def-000000000001';
const SECRET = 'table lianxin-prod key ADDR#sms#+8613800000001';

describe('errorResponse', () => {
  it("maps the coordinators' API errors without their details: 401, 413, and 409 with its first line", () => {
    const unauthorized = errorResponse(new UnauthorizedError(`token rejected for ${SECRET}`), REQUEST_ID);
    expect(unauthorized).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' },
      body: 'unauthorized',
    });
    const tooLarge = errorResponse(new PayloadTooLargeError('body of 20000 bytes'), REQUEST_ID);
    expect([tooLarge.statusCode, tooLarge.body]).toEqual([413, 'request body too large']);
    const conflict = errorResponse(new ConflictError(`already closed\n${SECRET}`), REQUEST_ID);
    expect([conflict.statusCode, conflict.body]).toEqual([409, 'already closed']);
  });

  it.each([
    new SignatureError('missing X-Twilio-Signature'),
    new SignatureError(`X-Twilio-Signature does not match for ${SECRET}`),
  ])('answers a SignatureError with a bare 403 (%s)', (error) => {
    const response = errorResponse(error, REQUEST_ID);
    expect(response).toEqual({
      statusCode: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'forbidden',
    });
  });

  it.each([
    [
      'invalid Twilio parameters: From must be a phone number',
      'invalid Twilio parameters: From must be a phone number',
    ],
    [`first line\nstack-ish detail with ${SECRET}`, 'first line'],
  ])('answers a ValidationError %j with 400 and only its first line', (message, body) => {
    const response = errorResponse(new ValidationError(message), REQUEST_ID);
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe(body);
    expect(response.body).not.toContain('\n');
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers a NotFoundError with a bare 404', () => {
    const response = errorResponse(new NotFoundError(`no contact ${SECRET}`), REQUEST_ID);
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe('not found');
  });

  it.each<[string, unknown]>([
    ['DependencyError', new DependencyError(`DynamoDB failed on ${SECRET}`)],
    ['ConfigError', new ConfigError(`invalid configuration (${SECRET})`)],
    ['LianxinError', new LianxinError(SECRET)],
    ['TypeError', new TypeError(`Cannot read properties of undefined (${SECRET})`)],
    ['Error with a cause', new Error('wrapped', { cause: new Error(SECRET) })],
    ['a thrown string', SECRET],
    ['undefined', undefined],
  ])('answers %s with a 500 that names the request and nothing else', (_, error) => {
    const response = errorResponse(error, REQUEST_ID);
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain(REQUEST_ID);
    expect(response.headers['x-request-id']).toBe(REQUEST_ID);
    expect(response.body).not.toContain('lianxin-prod');
    expect(response.body).not.toContain('8613800000001');
    if (error instanceof Error) expect(response.body).not.toContain(error.message);
  });
});
