import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#infra/function-catalog.ts';
import { bundleFunction } from '#tests/bench/bundle-figures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('wechat-webhook bundle', () => {
  it('stays within its budget and carries nothing of twilio (no SMS, no REST client)', async () => {
    const entry = FUNCTIONS['wechat-webhook'].entry;
    const bundle = bundleFunction(entry, mkdtempSync(join(tmpdir(), 'lianxin-bundle-')));
    expect(bundle.bytes).toBeLessThanOrEqual(FUNCTIONS['wechat-webhook'].bundleBudgetKb * 1024);

    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      external: ['@aws-sdk/*'],
      absWorkingDir: root,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.includes('node_modules/twilio/'))).toEqual([]);
    expect(inputs.some((f) => f.includes('node_modules/fast-xml-parser/'))).toBe(true);
    expect(inputs.filter((f) => f.startsWith('lib/channels/twilio-sms/'))).toEqual([]);
  });
});
