import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFunctionSync } from '#infra/constructs/function-bundle.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { type Bundle, bundleIn } from '#tests/infra/synth.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles `entry` into `outdir` exactly as the deployed functions are (infra/constructs/function-bundle.ts):
 * index.mjs, its chunks and maps.
 */
export function bundleFunction(entry: string, outdir: string): Bundle {
  rmSync(outdir, { recursive: true, force: true });
  bundleFunctionSync(entry, outdir);
  return bundleIn(outdir);
}

/** Wall times of importing each module in a fresh Node.js process (the Lambda init phase), in turns. */
export function initTimesMs(modulePaths: string[], env: Record<string, string>, runs = 15): number[][] {
  const times = modulePaths.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    modulePaths.forEach((modulePath, m) => {
      const script = `const t=performance.now();await import(${JSON.stringify(modulePath)});process.stdout.write(String(performance.now()-t));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, ...env },
        cwd: root,
      });
      times[m]?.push(Number(out.toString()));
    });
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median wall time of importing a module in a fresh Node.js process (the Lambda init phase). */
export function medianInitMs(modulePath: string, env: Record<string, string>, runs = 15): number {
  return median(initTimesMs([modulePath], env, runs)[0] ?? []);
}

/**
 * The baseline every function is held to: a handler that imports only the DynamoDB document client,
 * bundled as the functions are. Returns the bundle's path.
 */
export async function bareHandlerBundle(): Promise<string> {
  const dir = join(root, 'node_modules', '.cache', 'lianxin-bench');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'bare-handler-source.mjs');
  writeFileSync(
    entry,
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nconst client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexport const handler = async () => ({ statusCode: 200, body: String(Boolean(client)) });\n",
  );
  return bundleFunction(entry, join(dir, 'bare-handler')).path;
}

export async function bundleFigures(): Promise<Figure[]> {
  // Bundles live under the project so that the external @aws-sdk resolves from node_modules.
  const sdkDir = join(root, 'node_modules', '.cache', 'lianxin-bench');
  mkdirSync(sdkDir, { recursive: true });
  const bareEntry = await bareHandlerBundle();
  const sms = bundleFunction('functions/twilio-sms-webhook.ts', join(sdkDir, 'twilio-sms-webhook'));

  // The values a deployed function has; only their shape matters to the init phase.
  const env = {
    LIANXIN_ENV: 'aws',
    PUBLIC_URL: 'https://lianxin.example.org',
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'bench-auth-token',
    TWILIO_PHONE_NUMBER: '+15005550006',
    TABLE_NAME: 'lianxin-bench',
    AWS_REGION: 'cn-north-1',
    MESSAGE_LOG_TTL_DAYS: '90',
    SESSION_TTL_HOURS: '48',
    SEND_QUEUE_URL: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/lianxin-send',
    SEND_DLQ_URL: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/lianxin-send-dlq',
    SEND_RATE_PER_SECOND: '10',
    SEND_WORKER_CONCURRENCY: '2',
    SEND_MAX_ATTEMPTS: '5',
    LOOP_GUARD_LIMIT: '3',
    SEND_CLAIM_TIMEOUT_SECONDS: '120',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    NODE_NO_WARNINGS: '1',
  };
  const smsInit = medianInitMs(sms.path, env);
  const bareInit = medianInitMs(bareEntry, env);
  return [
    {
      name: 'twilio-sms-webhook bundle (minified, @aws-sdk external)',
      value: sms.bytes / 1024,
      unit: 'KB',
      target: '≤ 400',
    },
    { name: 'twilio-sms-webhook cold module init (median of 15)', value: smsInit, unit: 'ms' },
    { name: 'bare lib-dynamodb handler cold module init (median of 15)', value: bareInit, unit: 'ms' },
    { name: 'init ratio sms-webhook / bare', value: smsInit / bareInit, unit: 'x', target: '≤ 1.5' },
  ];
}
