import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#infra/function-catalog.ts';
import { bundleFunction } from '#tests/bench/bundle-figures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('twilio-sms-webhook bundle', () => {
  it('stays within its budget and carries only the webhook helpers of twilio, not its REST client', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'lianxin-bundle-')), 'handler.mjs');
    const size = await bundleFunction('functions/twilio-sms-webhook.ts', outfile);
    expect(size).toBeLessThanOrEqual(FUNCTIONS['twilio-sms-webhook'].bundleBudgetKb * 1024);
    expect(statSync(outfile).size).toBe(size);

    // Which twilio files esbuild pulled in, read from its metafile.
    const result = await build({
      entryPoints: ['functions/twilio-sms-webhook.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      external: ['@aws-sdk/*'],
      absWorkingDir: root,
      logLevel: 'silent',
    });
    const twilioFiles = Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules/twilio/'));
    expect(twilioFiles).toEqual(['node_modules/twilio/lib/webhooks/webhooks.js']);
  });
});
