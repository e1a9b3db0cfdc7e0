// Bundle size and cold module-init time of every Lambda function, measured on the bundles the CDK app
// deploys (synthesized with bundling: esbuild ESM, minified, source maps) and with the environment each
// function is deployed with.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS } from '#infra/function-catalog.ts';
import { WECHAT_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { medianInitMs } from '#tests/bench/bundle-figures.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { deployedFunctions, resolvedEnvironment, root, synthesize } from '#tests/infra/synth.ts';

const RUNS = 15;

export async function functionFigures(): Promise<Figure[]> {
  // Under the project, so that the external @aws-sdk/* resolve from its node_modules as in Lambda.
  const outdir = join(root, 'node_modules', '.cache', 'lianxin-bench', 'cdk.out');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const synthesized = synthesize({}, { bundle: true, outdir });

  const figures: Figure[] = [];
  for (const fn of deployedFunctions(synthesized).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!fn.bundle) throw new Error(`${fn.name}: no bundle in ${outdir}`);
    const env = resolvedEnvironment(fn);
    // The init phase reads the Twilio and WeChat secrets from Secrets Manager; here they are given, so
    // the figure is the module's own init (each secret read adds one Secrets Manager round trip in AWS).
    delete env.TWILIO_SECRET_ARN;
    delete env.WECHAT_SECRET_ARN;
    const init = medianInitMs(
      fn.bundle.path,
      {
        ...env,
        TWILIO_AUTH_TOKEN: 'bench-auth-token',
        ...WECHAT_LOCAL_DEFAULTS,
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        NODE_NO_WARNINGS: '1',
      },
      RUNS,
    );
    figures.push(
      {
        name: `${fn.name} bundle (deployed: minified ESM, @aws-sdk external)`,
        value: fn.bundle.bytes / 1024,
        unit: 'KB',
        target: `≤ ${FUNCTIONS[fn.name].bundleBudgetKb}`,
      },
      { name: `${fn.name} cold module init, source maps on (median of ${RUNS})`, value: init, unit: 'ms' },
    );
  }
  return figures;
}
