// Synthesizes the CDK app the way `npm run synth` does (cdk.json's context), for the infra tests and
// the bench. Without `bundle`, bundling is skipped (context aws:cdk:bundling-stacks: []): seconds, not more.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLE_ENTRY_FILE } from '#infra/constructs/function-bundle.ts';
import { FUNCTION_NAMES, type FunctionName } from '#infra/function-catalog.ts';
import { createLianxin, type Lianxin } from '#infra/lianxin.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';
import { functionAssets } from '#lib/local/function-assets.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));

const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** A prod deployment's parameters (values of the right shape, not real ones). */
export const PROD_CONTEXT = {
  stage: 'prod',
  twilioAccountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  twilioPhoneNumber: '+15017122661',
  alarmEmail: 'alarms@example.org',
  consoleOrigins: 'https://console.lianxin.example.org',
  // Codes as Alibaba Cloud assigns them on approval (SMS_ and digits), one per catalogue template.
  aliyunSmsTemplateCodes: JSON.stringify(
    Object.fromEntries(SMS_TEMPLATES.map((t, i) => [t.id, `SMS_${470_000_000 + i}`])),
  ),
  // Tencent Cloud as the second provider: its TemplateIds (digits) and SMS application.
  smsFallbackProvider: 'tencent',
  tencentSmsTemplateIds: JSON.stringify(
    Object.fromEntries(SMS_TEMPLATES.map((t, i) => [t.id, `${2_100_000 + i}`])),
  ),
  tencentSmsSdkAppId: '1400123456',
} as const;

export interface Synthesized extends Lianxin {
  readonly app: App;
  readonly templates: { readonly stateful: Template; readonly stateless: Template };
}

export function synthesize(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; outdir?: string } = {},
): Synthesized {
  const app = new App({
    context: {
      ...cdkJson.context,
      ...context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
    outdir: options.outdir,
    // The CloudFormation schema check (a WASM engine) is for `cdk synth` with validation; not needed here.
    builtinCloudFormationValidation: false,
  });
  const lianxin = createLianxin(app);
  return {
    app,
    ...lianxin,
    templates: {
      stateful: Template.fromStack(lianxin.stateful),
      stateless: Template.fromStack(lianxin.stateless),
    },
  };
}

export interface DeployedFunction {
  readonly name: FunctionName;
  readonly logicalId: string;
  /** Environment.Variables as synthesized: strings, or CloudFormation references. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** The bundle in the cloud assembly, when synthesized with bundling. */
  readonly bundle: Bundle | undefined;
}

/** The Lambda functions of the stateless stack, by their POWERTOOLS_SERVICE_NAME (the catalog name). */
export function deployedFunctions(synthesized: Synthesized): DeployedFunction[] {
  const resources = synthesized.templates.stateless.toJSON().Resources;
  return functionAssets(resources, synthesized.app.outdir).map(({ logicalId, name, variables, dir }) => {
    if (!FUNCTION_NAMES.includes(name as FunctionName))
      throw new Error(`${logicalId}: unknown function ${name}`);
    return {
      name: name as FunctionName,
      logicalId,
      variables,
      bundle: dir && existsSync(join(dir, BUNDLE_ENTRY_FILE)) ? bundleIn(dir) : undefined,
    };
  });
}

export interface Bundle {
  readonly dir: string;
  /** The entry, index.mjs. */
  readonly path: string;
  /** Every code file: the entry and its chunks (not the maps), relative to `dir`. */
  readonly files: readonly string[];
  /** The code files read at a cold start: the entry and the chunks it imports statically, at any depth. */
  readonly coldStartFiles: readonly string[];
  /** The code's size: every file but the maps. */
  readonly bytes: number;
  /** The size of the code read at a cold start. */
  readonly coldStartBytes: number;
}

/** A bundle directory as function-bundle.ts writes it (what Lambda unpacks in /var/task). */
export function bundleIn(dir: string): Bundle {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.mjs'))
    .sort();
  const size = (list: readonly string[]) => list.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  const coldStartFiles = staticClosure(dir, BUNDLE_ENTRY_FILE);
  return {
    dir,
    path: join(dir, BUNDLE_ENTRY_FILE),
    files,
    coldStartFiles,
    bytes: size(files),
    coldStartBytes: size(coldStartFiles),
  };
}

/** `entry` and the files it imports statically (`import … from "./x.mjs"`, not `import("./x.mjs")`). */
function staticClosure(dir: string, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const code = readFileSync(join(dir, file), 'utf8');
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+\.mjs)"/g)) {
      const next = relative(dir, resolve(dir, dirname(file), m[1] ?? ''));
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen].sort();
}

/**
 * A function's environment with each CloudFormation reference replaced by a value of the shape it will
 * have once deployed, so the configuration can be checked (lib/config/core.ts) or a bundle initialized.
 */
export function resolvedEnvironment(fn: DeployedFunction): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.variables)) {
    resolved[name] = typeof value === 'string' ? value : placeholder(name);
  }
  return resolved;
}

function placeholder(name: string): string {
  if (name === 'PUBLIC_URL') return 'https://abcdef1234.execute-api.us-east-1.amazonaws.com';
  if (name === 'TABLE_NAME') return 'lianxin-prod-stateful-TableCD117FA1-ABCDEF123456';
  if (name === 'EXPORT_BUCKET') return 'lianxin-prod-stateful-exportsbucket5a12738b-abcdef123456';
  if (name.endsWith('_QUEUE_URL') || name.endsWith('_DLQ_URL')) {
    return `https://sqs.us-east-1.amazonaws.com/123456789012/lianxin-${name.toLowerCase()}`;
  }
  if (name === 'COORDINATORS_USER_POOL_ID') return 'us-east-1_AbCdEf123';
  if (name.endsWith('_SECRET_ARN')) {
    return `arn:aws:secretsmanager:us-east-1:123456789012:secret:lianxin-${name.toLowerCase()}-AbCdEf`;
  }
  throw new Error(
    `no placeholder for the CloudFormation reference in ${name}: add one in tests/infra/synth.ts`,
  );
}
