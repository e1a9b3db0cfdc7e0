import { AssetHashType, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { BUNDLE_HANDLER, functionBundling, projectRoot } from '#infra/constructs/function-bundle.ts';
import { FUNCTIONS, type FunctionName } from '#infra/function-catalog.ts';
import type { StageConfig } from '#infra/stage.ts';
import { EXPORT_PREFIX } from '#lib/store/exports/s3-export-files.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';

/** DynamoDB uses the table's KMS key with the caller's permissions: reads decrypt, writes also encrypt. */
const KEY_ACTIONS = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
} as const;

/** The DynamoDB actions that only read; any other table action writes (and so encrypts). */
const READ_ONLY_TABLE_ACTIONS: ReadonlySet<string> = new Set([
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
]);

export interface LianxinFunctionProps {
  readonly stage: StageConfig;
  /** Which entry point (infra/function-catalog.ts): entry file, bundle budget, description. */
  readonly name: FunctionName;
  /** @default 10 seconds (webhooks answer well within Twilio's 15 s) */
  readonly timeout?: Duration;
  /** @default 512 MB (ARM64; more memory is more CPU, so a faster cold start) */
  readonly memorySize?: number;
  /** Non-secret configuration; secrets go through `bindSecret`, the table through `bindTable`. */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - none (unreserved account concurrency) */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A Lambda function with lianxin's defaults: Node.js 22 on ARM64, esbuild ESM bundle (minified, split into
 * an entry and the chunks it loads later, a map beside each, the AWS SDK external: function-bundle.ts),
 * its own log group with retention, active tracing, Powertools env, its own role that starts with nothing but writing its logs. Give it more only through `bind*`.
 */
export class LianxinFunction extends LambdaFunction {
  readonly catalogName: FunctionName;
  readonly #env = new Map<string, string>();

  constructor(scope: Construct, id: string, props: LianxinFunctionProps) {
    const spec = FUNCTIONS[props.name];
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `lianxin ${props.stage.name} ${props.name}`,
    });
    super(scope, id, {
      code: Code.fromAsset(projectRoot, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: functionBundling(spec.entry),
      }),
      handler: BUNDLE_HANDLER,
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
    this.catalogName = props.name;
    logGroup.grantWrite(role);

    this.setEnv('LIANXIN_ENV', 'aws');
    this.setEnv('POWERTOOLS_SERVICE_NAME', props.name);
    this.setEnv('POWERTOOLS_METRICS_NAMESPACE', props.stage.observability.metricsNamespace);
    // Traces keep timings and calls, not what was said: replies carry carers' words, errors may carry a number.
    this.setEnv('POWERTOOLS_TRACER_CAPTURE_RESPONSE', 'false');
    this.setEnv('POWERTOOLS_TRACER_CAPTURE_ERROR', 'false');
    this.setEnv('LOG_LEVEL', props.stage.logLevel);
    for (const [name, value] of Object.entries(props.environment ?? {})) this.setEnv(name, value);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the chosen runtime: bundles target node22 and the bench measures cold starts on it; moving to 24 is a deliberate change of its own.',
    });
    // Scoped to this function's role: the only statement with Resource "*" is X-Ray's (a test checks).
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*"; every other statement of the role names its resource (tests/infra checks).',
    });
  }

  /**
   * Grants the table and index actions of `access` (what the function's code sends, from its wiring:
   * lib/store/iam-actions.ts), each index by name, no wildcard; the KMS key's read or write actions to
   * match; and sets TABLE_NAME. Nothing at all when the code sends nothing to the table.
   */
  bindTable(table: ITable, access: AwsAccess, options: { envName?: string } = {}): this {
    const entries = Object.entries(access).filter(([target]) => target.startsWith('table'));
    if (entries.length === 0) return this;
    for (const [target, actions] of entries) {
      const arn = target === 'table' ? table.tableArn : `${table.tableArn}/${target.slice('table/'.length)}`;
      if (actions && actions.length > 0) {
        this.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [arn] }));
      }
    }
    if (table.encryptionKey) {
      const writes = entries.some(([, actions]) => actions?.some((a) => !READ_ONLY_TABLE_ACTIONS.has(a)));
      const keyActions = writes ? KEY_ACTIONS.write : KEY_ACTIONS.read;
      this.addToRolePolicy(
        new PolicyStatement({ actions: [...keyActions], resources: [table.encryptionKey.keyArn] }),
      );
    }
    this.setEnv(options.envName ?? 'TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * The function's own async invocation, when its code sends one (target `self`). In a policy of its
   * own: in the role's default policy the function's ARN would make a dependency cycle.
   */
  /** The exports bucket's objects under exports/, with the actions its code sends there; EXPORT_BUCKET. */
  bindExportBucket(bucket: IBucket, access: AwsAccess): this {
    const actions = access.exportBucket ?? [];
    if (actions.length === 0) return this;
    const objects = bucket.arnForObjects(`${EXPORT_PREFIX}*`);
    this.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [objects] }));
    this.addEnvironment('EXPORT_BUCKET', bucket.bucketName);
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagText(Stack.of(this).resolve(objects))}]`,
        reason:
          'Each export is a new object with a random key under exports/: the role can write and read objects there only, never list the bucket or reach anything else in it.',
      });
    }
    return this;
  }

  bindSelfInvoke(access: AwsAccess): this {
    const actions = access.self ?? [];
    if (actions.length === 0) return this;
    if (!this.role) throw new Error(`${this.node.path} has no role`);
    new Policy(this, 'SelfInvoke', {
      roles: [this.role],
      statements: [new PolicyStatement({ actions: [...actions], resources: [this.functionArn] })],
    });
    return this;
  }

  /**
   * Grants secretsmanager:GetSecretValue on this one secret and sets `envName` to its ARN; the function
   * reads the value at cold start and keeps it (never a plain environment value).
   */
  bindSecret(secret: ISecret, envName: string): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    if (secret.encryptionKey) secret.encryptionKey.grantDecrypt(this);
    this.setEnv(envName, secret.secretArn);
    return this;
  }

  /** Sets an environment variable once; setting it again to something else is a wiring mistake. */
  setEnv(name: string, value: string): this {
    const previous = this.#env.get(name);
    if (previous !== undefined && previous !== value) {
      throw new Error(`${this.node.path}: ${name} is already set to a different value`);
    }
    this.#env.set(name, value);
    this.addEnvironment(name, value);
    return this;
  }
}

/** A resolved value as cdk-nag writes it in a finding: a join's parts, each `{Ref: X}` as `<X>`. */
function nagText(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) return `<${ref}>`;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(nagText).join(join[0]);
  return JSON.stringify(value);
}
