import { mkdtempSync } from 'node:fs';
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
    const bundle = bundleFunction(
      'functions/twilio-sms-webhook.ts',
      mkdtempSync(join(tmpdir(), 'lianxin-bundle-')),
    );
    expect(bundle.bytes).toBeLessThanOrEqual(FUNCTIONS['twilio-sms-webhook'].bundleBudgetKb * 1024);

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

describe('send-worker bundle', () => {
  it('carries no twilio REST client and no Alibaba/Tencent Cloud SDK (their APIs are called over Node https) and stays within its budget', async () => {
    const bundle = bundleFunction(
      FUNCTIONS['send-worker'].entry,
      mkdtempSync(join(tmpdir(), 'lianxin-bundle-')),
    );
    expect(bundle.bytes).toBeLessThanOrEqual(FUNCTIONS['send-worker'].bundleBudgetKb * 1024);

    const result = await build({
      entryPoints: [FUNCTIONS['send-worker'].entry],
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
    // At most the 5 KB signature helpers (the status callback URL comes from the status webhook's module).
    const twilioFiles = inputs.filter((f) => f.includes('node_modules/twilio/'));
    expect(twilioFiles.filter((f) => f !== 'node_modules/twilio/lib/webhooks/webhooks.js')).toEqual([]);
    // The domestic providers go by small signed clients of their SendSms (Node https): no file of
    // Alibaba Cloud's or Tencent Cloud's SDKs, or of the packages they pull in, is in the bundle at all.
    const providerSdkFiles = inputs.filter((f) =>
      /node_modules\/(@alicloud\/|tencentcloud-sdk-|@darabonba\/|json-bigint\/)/.test(f),
    );
    expect(providerSdkFiles).toEqual([]);
    // Their clients are in: the check above sees the channel modules' dependency graph.
    expect(inputs).toContain('lib/channels/aliyun-sms/aliyun-acs3-signature.ts');
    expect(inputs).toContain('lib/channels/tencent-sms/tencent-tc3-signature.ts');
  });
});
