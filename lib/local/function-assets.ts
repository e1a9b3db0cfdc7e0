// Where a synthesized template's Lambda functions have their code in the cloud assembly: the asset
// directory its Code.S3Key names. Read by `npm run stack-trace` and by the infra tests and bench.
import { join } from 'node:path';

export interface FunctionAsset {
  readonly logicalId: string;
  /** POWERTOOLS_SERVICE_NAME: the function's name in infra/function-catalog.ts. */
  readonly name: unknown;
  /** Environment.Variables as synthesized: strings, or CloudFormation references. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** The asset directory in `cdkOut` (it exists only when synthesized with bundling). */
  readonly dir: string | undefined;
}

type Resources = Readonly<Record<string, { Type?: unknown; Properties?: unknown }>>;

export function functionAssets(resources: Resources, cdkOut: string): FunctionAsset[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const props = resource.Properties as {
        Environment?: { Variables?: Record<string, unknown> };
        Code?: { S3Key?: unknown };
      };
      const variables = props.Environment?.Variables ?? {};
      const key = props.Code?.S3Key;
      return {
        logicalId,
        name: variables.POWERTOOLS_SERVICE_NAME,
        variables,
        dir: typeof key === 'string' ? join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`) : undefined,
      };
    });
}
