import { describe, expect, it } from 'vitest';
import { mapStackTrace, stacksIn } from '#lib/observability/stack-trace.ts';

// Line 1 of the bundle (1-based): column 1 comes from lib/a.ts 3:5, column 11 from lib/b.ts 7:1.
const payload = {
  version: 3,
  file: 'index.mjs',
  sources: ['../../lib/a.ts', '../../lib/b.ts'],
  sourcesContent: [],
  sourceRoot: '',
  names: [],
  mappings: 'AAEI,UCIJ',
};

describe('stack traces of a deployed bundle', () => {
  it('maps each bundle position to its source, and leaves the runtime frames alone', () => {
    const stack = [
      'ConfigError: invalid configuration (TABLE_NAME: required)',
      '    at Xe (file:///var/task/index.mjs:1:1)',
      '    at file:///var/task/index.mjs:1:11',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
    ].join('\n');
    expect(mapStackTrace(stack, (file) => (file === 'index.mjs' ? payload : undefined))).toBe(
      [
        'ConfigError: invalid configuration (TABLE_NAME: required)',
        '    at Xe (lib/a.ts:3:5)',
        '    at lib/b.ts:7:1',
        '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
      ].join('\n'),
    );
  });

  it("maps a frame in a chunk with that chunk's own map, and leaves a file without a map alone", () => {
    // The chunk's line 1 column 1 comes from lib/c.ts 1:1.
    const chunkMap = { ...payload, file: 'csv-import-AB12CD34.mjs', sources: ['lib/c.ts'], mappings: 'AAAA' };
    const maps: Record<string, typeof payload> = {
      'index.mjs': payload,
      'chunks/csv-import-AB12CD34.mjs': chunkMap,
    };
    const stack = [
      'ValidationError: bad row',
      '    at r (file:///var/task/chunks/csv-import-AB12CD34.mjs:1:1)',
      '    at async q (file:///var/task/index.mjs:1:11)',
      '    at file:///var/task/chunks/other-ZZ.mjs:1:1',
    ].join('\n');
    expect(mapStackTrace(stack, (file) => maps[file])).toBe(
      [
        'ValidationError: bad row',
        '    at r (lib/c.ts:1:1)',
        '    at async q (lib/b.ts:7:1)',
        '    at file:///var/task/chunks/other-ZZ.mjs:1:1',
      ].join('\n'),
    );
  });

  it('finds the stack in a JSON log line as Powertools Logger writes it, or takes the text as it is', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'send failed',
      error: {
        name: 'SendFailure',
        message: 'x',
        stack: 'SendFailure: x\n    at q (file:///var/task/index.mjs:1:11)',
      },
    });
    expect(stacksIn(line)).toEqual(['SendFailure: x\n    at q (file:///var/task/index.mjs:1:11)']);
    expect(stacksIn('Error: y\n    at index.mjs:1:1')).toEqual(['Error: y\n    at index.mjs:1:1']);
  });
});
