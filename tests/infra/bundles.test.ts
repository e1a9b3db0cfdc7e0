import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BANNER, BUNDLE_ENTRY_FILE } from '#infra/constructs/function-bundle.ts';
import { FUNCTION_NAMES, FUNCTIONS } from '#infra/function-catalog.ts';
import { bundleFunction } from '#tests/bench/bundle-figures.ts';
import { rolePoliciesOf } from '#tests/support/role-policies.ts';
import { actionsOfBundle, sdkCommandsOf } from './bundle-commands.ts';
import {
  type Bundle,
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
  // Eight esbuild runs in this process: seconds.
}, 300_000);

/** The sources (from the project's root) that went into some of a bundle's files, read from their maps. */
function sourcesOf(bundle: Bundle, files: readonly string[] = bundle.files): string[] {
  return files.flatMap(
    (f) => (JSON.parse(readFileSync(join(bundle.dir, `${f}.map`), 'utf8')) as { sources: string[] }).sources,
  );
}

/** Every code file of a bundle: the entry and its chunks, the ones loaded later too. */
function codeOf(bundle: Bundle): string {
  return bundle.files.map((f) => readFileSync(join(bundle.dir, f), 'utf8')).join('\n');
}

describe('function bundles', () => {
  it('bundles every function as minified ESM with source maps, each within its budget', () => {
    expect(functions.map((f) => f.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    const overBudget: string[] = [];
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const { dir, files, coldStartFiles } = fn.bundle;
      const code = readFileSync(fn.bundle.path, 'utf8');
      expect(code.startsWith(BUNDLE_BANNER)).toBe(true);
      for (const file of files) {
        const name = file.split('/').pop() ?? file;
        expect(readFileSync(join(dir, file), 'utf8')).toMatch(
          new RegExp(`//# sourceMappingURL=${name.replaceAll('.', '\\.')}\\.map\\s*$`),
        );
        expect(existsSync(join(dir, `${file}.map`)), `${fn.name}: ${file}.map`).toBe(true);
      }
      // The AWS SDK v3 stays external: it comes with the runtime.
      expect(code).toMatch(/from\s*"@aws-sdk\//);
      // At cold start only DynamoDB's packages: every other client loads where it is first sent.
      const coldStartCode = coldStartFiles.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
      const staticSdk = new Set([...coldStartCode.matchAll(/from\s*"(@aws-sdk\/[^"]+)"/g)].map((m) => m[1]));
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

  it("leaves what the code loads on first use out of the cold start: the API's CSV parser and phone metadata", () => {
    const api = functions.find((f) => f.name === 'coordinator-api')?.bundle;
    if (!api) throw new Error('coordinator-api was not bundled');
    const lazy = (source: string) =>
      source === 'lib/roster/csv-import.ts' || source.startsWith('node_modules/libphonenumber-js/');
    expect(sourcesOf(api, api.coldStartFiles).filter(lazy)).toEqual([]);
    const later = api.files.filter((f) => !api.coldStartFiles.includes(f));
    expect(sourcesOf(api, later)).toContain('lib/roster/csv-import.ts');
    expect(sourcesOf(api, later).some((s) => s.startsWith('node_modules/libphonenumber-js/'))).toBe(true);
    expect(api.coldStartBytes).toBeLessThan(api.bytes - 100 * 1024);
  });

  it('loads every chunk that the code loads later, as Lambda would from the unpacked bundle', async () => {
    const later = functions.flatMap((fn) =>
      fn.bundle ? fn.bundle.files.filter((f) => f !== BUNDLE_ENTRY_FILE).map((f) => ({ fn, f })) : [],
    );
    expect(later.length).toBeGreaterThan(0);
    for (const { fn, f } of later) {
      if (!fn.bundle) continue;
      // Under the project, so that the external @aws-sdk/* resolve from its node_modules as in Lambda.
      const dir = join(root, 'node_modules', '.cache', 'lianxin-tests', `chunks-${process.pid}-${fn.name}`);
      cpSync(fn.bundle.dir, dir, { recursive: true });
      const loaded = (await import(join(dir, f))) as Record<string, unknown>;
      expect(Object.keys(loaded).length, `${fn.name}: ${f}`).toBeGreaterThan(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("carries zod's mini API and its English messages only: not the classic API, whose every method a bundle would carry", () => {
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const zod = sourcesOf(fn.bundle).filter((s) => s.startsWith('node_modules/zod/'));
      expect(zod, fn.name).toContain('node_modules/zod/v4/mini/schemas.js');
      expect(zod, fn.name).toContain('node_modules/zod/v4/locales/en.js');
      expect(
        zod.filter((s) => s.includes('/classic/') || (s.includes('/locales/') && !s.endsWith('/en.js'))),
        fn.name,
      ).toEqual([]);
    }
  });

  it('runs zod without its JIT: the banner comes before any schema is built', async () => {
    // Bundled as the functions are, under the project so that zod resolves from its node_modules.
    const dir = join(root, 'node_modules', '.cache', 'lianxin-tests');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'zod-banner-source.mjs');
    writeFileSync(
      entry,
      `import * as z from ${JSON.stringify(join(root, 'lib', 'zod.ts'))};\nconst schema = z.object({ a: z.string() });\nexport const parsed = schema.parse({ a: 'x' });\nexport const jitless = z.config().jitless;\n`,
    );
    const { path, dir: out } = bundleFunction(entry, join(dir, `zod-banner-${process.pid}`));
    expect(readFileSync(path, 'utf8').startsWith(BUNDLE_BANNER)).toBe(true);
    const bundled = (await import(path)) as { parsed: unknown; jitless: unknown };
    expect(bundled).toMatchObject({ parsed: { a: 'x' }, jitless: true });
    rmSync(out, { recursive: true, force: true });
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
    const { path, dir: out } = bundleFunction(entry, join(dir, `error-names-${process.pid}`));
    const { names } = (await import(path)) as { names: [string, string][] };
    rmSync(out, { recursive: true, force: true });
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter(([exported, name]) => exported !== name)).toEqual([]);
  });

  it('may send nothing its role does not allow: each SDK command in the bundle, against the template', () => {
    const policies = rolePoliciesOf(synthesized);
    const missing: string[] = [];
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const granted = new Set(Object.values(policies[fn.name]).flat());
      for (const action of actionsOfBundle(codeOf(fn.bundle))) {
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
      const sent = new Set<string>(actionsOfBundle(codeOf(fn.bundle)));
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
    cpSync(fn.bundle.dir, dir, { recursive: true });
    const bundle = join(dir, BUNDLE_ENTRY_FILE);
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
