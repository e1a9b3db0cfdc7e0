import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BANNER } from '#infra/constructs/lianxin-function.ts';
import { FUNCTION_NAMES, FUNCTIONS } from '#infra/function-catalog.ts';
import { bundleFunction } from '#tests/bench/bundle-figures.ts';
import { rolePoliciesOf } from '#tests/support/role-policies.ts';
import { actionsOfBundle, sdkCommandsOf } from './bundle-commands.ts';
import {
  type DeployedFunction,
  deployedFunctions,
  resolvedEnvironment,
  root,
  type Synthesized,
  synthesize,
} from './synth.ts';

const outdir = mkdtempSync(join(tmpdir(), 'lianxin-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let synthesized: Synthesized;
let functions: DeployedFunction[];

beforeAll(() => {
  // The one infra test that really bundles (esbuild through the CDK, as `cdk deploy` does).
  synthesized = synthesize({}, { bundle: true, outdir });
  functions = deployedFunctions(synthesized);
  // Six esbuild runs: well under a minute on a quiet machine, more when the cores are shared.
}, 300_000);

describe('function bundles', () => {
  it('bundles every function as minified ESM with source maps, each within its budget', () => {
    expect(functions.map((f) => f.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    const overBudget: string[] = [];
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const code = readFileSync(fn.bundle.path, 'utf8');
      expect(code.startsWith(BUNDLE_BANNER)).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // The AWS SDK v3 stays external: it comes with the runtime.
      expect(code).toMatch(/from\s*"@aws-sdk\//);
      // At cold start only DynamoDB's packages: every other client loads where it is first sent.
      const staticSdk = new Set([...code.matchAll(/from\s*"(@aws-sdk\/[^"]+)"/g)].map((m) => m[1]));
      expect(
        [...staticSdk].filter((name) => !/^@aws-sdk\/(client|lib|util)-dynamodb$/.test(name ?? '')),
      ).toEqual([]);
      const kb = fn.bundle.bytes / 1024;
      if (kb > FUNCTIONS[fn.name].bundleBudgetKb) {
        overBudget.push(`${fn.name}: ${kb.toFixed(0)} KB > ${FUNCTIONS[fn.name].bundleBudgetKb} KB`);
      }
    }
    expect(overBudget).toEqual([]);
  });

  it('runs zod without its JIT: the banner comes before any schema is built', async () => {
    // Bundled as the functions are, under the project so that zod resolves from its node_modules.
    const dir = join(root, 'node_modules', '.cache', 'lianxin-tests');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'zod-banner-source.mjs');
    writeFileSync(
      entry,
      "import * as z from 'zod';\nconst schema = z.object({ a: z.string() });\nexport const parsed = schema.parse({ a: 'x' });\nexport const jitless = z.config().jitless;\n",
    );
    const outfile = join(dir, `zod-banner-${process.pid}.mjs`);
    await bundleFunction(entry, outfile);
    expect(readFileSync(outfile, 'utf8').startsWith(BUNDLE_BANNER)).toBe(true);
    const bundled = (await import(outfile)) as { parsed: unknown; jitless: unknown };
    expect(bundled).toMatchObject({ parsed: { a: 'x' }, jitless: true });
    rmSync(outfile);
  });

  it('keeps each error class name through minification (logs show it)', async () => {
    const dir = join(root, 'node_modules', '.cache', 'lianxin-tests');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'error-names-source.mjs');
    const errors = join(root, 'lib', 'errors.ts');
    const router = join(root, 'lib', 'api', 'router.ts');
    const channel = join(root, 'lib', 'ports', 'channel.ts');
    writeFileSync(
      entry,
      `import * as errors from ${JSON.stringify(errors)};\nimport { RequestValidationError } from ${JSON.stringify(router)};\nimport { SendFailure } from ${JSON.stringify(channel)};\n` +
        'const classes = { ...errors, RequestValidationError, SendFailure };\n' +
        'export const names = Object.entries(classes).filter(([, c]) => typeof c === "function" && c.prototype instanceof Error).map(([exported, C]) => [exported, new C([], []).name]);\n',
    );
    const outfile = join(dir, `error-names-${process.pid}.mjs`);
    await bundleFunction(entry, outfile);
    const { names } = (await import(outfile)) as { names: [string, string][] };
    rmSync(outfile);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter(([exported, name]) => exported !== name)).toEqual([]);
  });

  it('may send nothing its role does not allow: each SDK command in the bundle, against the template', () => {
    const policies = rolePoliciesOf(synthesized);
    const missing: string[] = [];
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const granted = new Set(Object.values(policies[fn.name]).flat());
      for (const action of actionsOfBundle(readFileSync(fn.bundle.path, 'utf8'))) {
        if (!granted.has(action)) missing.push(`${fn.name}: ${action}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is granted no DynamoDB, SQS or Lambda action that no command in its bundle sends', () => {
    const policies = rolePoliciesOf(synthesized);
    const unused: string[] = [];
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const sent = new Set<string>(actionsOfBundle(readFileSync(fn.bundle.path, 'utf8')));
      const { sendQueue = [], ...rest } = policies[fn.name];
      // A consumer's receive and delete are the SQS event source's, sent by Lambda, not by the bundle.
      const own = fn.name === 'send-worker' ? sendQueue.filter((a) => a === 'sqs:SendMessage') : sendQueue;
      for (const action of [...own, ...Object.values(rest).flat()]) {
        if (/^(dynamodb|sqs|lambda|s3|scheduler):/.test(action) && !sent.has(action)) {
          unused.push(`${fn.name}: ${action}`);
        }
      }
    }
    expect(unused).toEqual([]);
  });

  it('reads the commands of a bundle as imports of the SDK (the check above sees them)', () => {
    const code =
      'import{GetCommand as a,TransactWriteCommand as b}from"@aws-sdk/lib-dynamodb";x={TransactItems:[{ConditionCheck:{TableName:t}}]};' +
      'async function f(){let{InvokeCommand:i,LambdaClient:o}=await import("@aws-sdk/client-lambda")}';
    expect(sdkCommandsOf(code)).toEqual(['GetCommand', 'InvokeCommand', 'TransactWriteCommand']);
    expect(actionsOfBundle(code)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'lambda:InvokeFunction',
    ]);
  });

  it('logs stacks in the minified bundle, which npm run stack-trace maps back to the sources', () => {
    const fn = functions.find((f) => f.name === 'twilio-status-webhook');
    if (!fn?.bundle) throw new Error('twilio-status-webhook was not bundled');
    // Its deployed environment without the table: the cold start fails on the configuration.
    const { TABLE_NAME: _table, TWILIO_SECRET_ARN: _secret, ...env } = resolvedEnvironment(fn);
    // Under the project, so that the external @aws-sdk/* resolve from its node_modules as in Lambda.
    const dir = join(root, 'node_modules', '.cache', 'lianxin-tests', `stack-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const bundle = join(dir, 'index.mjs');
    copyFileSync(fn.bundle.path, bundle);
    copyFileSync(`${fn.bundle.path}.map`, `${bundle}.map`);
    const failed = spawnSync(
      process.execPath,
      // What the handler's logger writes of an error: its stack.
      [
        '--input-type=module',
        '-e',
        `try { await import(${JSON.stringify(bundle)}) } catch (e) { console.error(e.stack); process.exit(1) }`,
      ],
      {
        env: {
          PATH: process.env.PATH,
          ...env,
          TWILIO_AUTH_TOKEN: 'test-auth-token',
          AWS_REGION: 'us-east-1',
        },
        encoding: 'utf8',
      },
    );
    expect(failed.status).not.toBe(0);
    // The error's own name, not the minifier's.
    expect(failed.stderr).toMatch(/^ConfigError: invalid configuration \(.*TABLE_NAME/);
    // As deployed, Node does not read the map: the frames are positions in index.mjs.
    expect(failed.stderr).toMatch(/index\.mjs:\d+:\d+/);
    expect(failed.stderr).not.toContain('parse-env.ts');

    const mapped = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'lib/local/stack-trace-cli.ts', fn.name, '--cdk-out', outdir],
      { cwd: root, input: failed.stderr, encoding: 'utf8' },
    );
    expect(mapped.stderr).toBe('');
    expect(mapped.stdout).toMatch(/lib\/config\/parse-env\.ts:\d+:\d+/);
    expect(mapped.stdout).toMatch(/functions\/twilio-status-webhook\.ts:\d+:\d+/);
    expect(mapped.stdout).not.toMatch(/index\.mjs:\d+:\d+/);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
