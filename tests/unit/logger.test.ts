import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '#lib/observability/logger.ts';

// Powertools writes one JSON line per entry through a node:console Console bound to
// process.stdout / process.stderr (errors go to stderr), so capture both streams.
let lines: string[];

beforeEach(() => {
  lines = [];
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  vi.stubEnv('_X_AMZN_TRACE_ID', '');
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function onlyEntry(): Record<string, unknown> {
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

const GRANDMOTHER = '+8613800000001';
const PARENT = '+8613900000002';

describe('createLogger', () => {
  it('writes one JSON line with the service, level and message', () => {
    createLogger('sms-webhook').info('turn committed');
    const entry = onlyEntry();
    expect(entry).toMatchObject({ level: 'INFO', message: 'turn committed', service: 'sms-webhook' });
    expect(typeof entry.timestamp).toBe('string');
    expect(lines[0]?.endsWith('\n')).toBe(true);
  });

  it.each([
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['critical', 'CRITICAL'],
  ] as const)('masks phone numbers in a %s message', (method, level) => {
    createLogger('test')[method](`message from ${GRANDMOTHER} not processed`);
    const entry = onlyEntry();
    expect(entry.level).toBe(level);
    expect(entry.message).toBe('message from +86138****0001 not processed');
  });

  it('masks phone numbers in attributes, nested attributes and arrays', () => {
    createLogger('test').info('message from an unregistered address', {
      from: GRANDMOTHER,
      contact: { addresses: [{ channel: 'sms', address: PARENT }], note: `call ${PARENT} first` },
      numbers: [GRANDMOTHER, '13700000001'],
      messageId: 'SM0123456789abcdef0123456789abcdef',
      week: '2026-W48',
      answers: 3,
    });
    const entry = onlyEntry();
    expect(entry).toMatchObject({
      from: '+86138****0001',
      contact: {
        addresses: [{ channel: 'sms', address: '+86139****0002' }],
        note: 'call +86139****0002 first',
      },
      numbers: ['+86138****0001', '137****0001'],
      messageId: 'SM0123456789abcdef0123456789abcdef',
      week: '2026-W48',
      answers: 3,
    });
  });

  it('masks phone numbers in an error attribute: message, stack and cause', () => {
    const cause = new Error(`ConditionalCheckFailed on ADDR#sms#${PARENT}`);
    const error = new Error(`simulated DynamoDB outage for ${GRANDMOTHER}`, { cause });
    createLogger('test').error('inbound message not processed; keeping it for replay', {
      messageId: 'SM0123456789abcdef0123456789abcdef',
      error,
    });
    const line = lines[0] ?? '';
    const entry = onlyEntry();
    expect(entry.error).toMatchObject({
      name: 'Error',
      message: 'simulated DynamoDB outage for +86138****0001',
      cause: { name: 'Error', message: 'ConditionalCheckFailed on ADDR#sms#+86139****0002' },
    });
    expect(String((entry.error as { stack?: unknown }).stack)).toContain('+86138****0001');
    expect(line).not.toContain(GRANDMOTHER);
    expect(line).not.toContain(PARENT);
  });

  it('masks an error passed on its own as the extra argument', () => {
    createLogger('test').warn('webhook rejected', new Error(`bad From ${GRANDMOTHER}`));
    const entry = onlyEntry();
    expect(entry.error).toMatchObject({ message: 'bad From +86138****0001' });
    expect(lines[0]).not.toContain(GRANDMOTHER);
  });

  it('masks persistent keys appended to the logger', () => {
    const logger = createLogger('test');
    logger.appendKeys({ caller: GRANDMOTHER });
    logger.info('hello');
    expect(onlyEntry().caller).toBe('+86138****0001');
  });

  it('leaves timestamps and non-phone values readable', () => {
    createLogger('test').info('answered at 2026-11-25T02:00:00.000Z, 3 of 7, short code 10086', {
      at: '2026-11-25T02:00:00.000Z',
    });
    const entry = onlyEntry();
    expect(entry.message).toBe('answered at 2026-11-25T02:00:00.000Z, 3 of 7, short code 10086');
    expect(entry.at).toBe('2026-11-25T02:00:00.000Z');
  });
});
