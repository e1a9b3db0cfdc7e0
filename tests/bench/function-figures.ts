// Bundle size and cold module-init time of every Lambda function, measured on the bundles the CDK app
// deploys (synthesized with bundling: esbuild ESM, minified, split into an entry and chunks, maps beside them) and with the environment each
// function is deployed with, each beside a bare AWS SDK handler's init measured in the same runs.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS } from '#infra/function-catalog.ts';
import { MAINLAND_SMS_LOCAL_DEFAULTS, WECHAT_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { bareHandlerBundle, initTimesMs, median } from '#tests/bench/bundle-figures.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { deployedFunctions, resolvedEnvironment, root, synthesize } from '#tests/infra/synth.ts';

const RUNS = 21;
/** Issue 15's targets for every function. */
const BUNDLE_TARGET_KB = 1024;
const INIT_RATIO_TARGET = 1.5;

export async function functionFigures(): Promise<Figure[]> {
  // Under the project, so that the external @aws-sdk/* resolve from its node_modules as in Lambda.
  const outdir = join(root, 'node_modules', '.cache', 'lianxin-bench', 'cdk.out');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const synthesized = synthesize({}, { bundle: true, outdir });
  const bare = await bareHandlerBundle();

  const figures: Figure[] = [];
  let worstRatio = 0;
  for (const fn of deployedFunctions(synthesized).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!fn.bundle) throw new Error(`${fn.name}: no bundle in ${outdir}`);
    const env = resolvedEnvironment(fn);
    // The init phase reads the Twilio, WeChat, Alibaba and Tencent Cloud secrets from Secrets Manager; here they
    // are given, so the figure is the module's own init (each secret read adds one Secrets Manager round
    // trip in AWS, the same for a bare handler that needs a secret).
    delete env.TWILIO_SECRET_ARN;
    delete env.WECHAT_SECRET_ARN;
    delete env.ALIYUN_SMS_SECRET_ARN;
    delete env.TENCENT_SMS_SECRET_ARN;
    const { SMS_PROVIDER: _provider, ...aliyunValues } = MAINLAND_SMS_LOCAL_DEFAULTS;
    const runEnv = {
      ...env,
      TWILIO_AUTH_TOKEN: 'bench-auth-token',
      ...WECHAT_LOCAL_DEFAULTS,
      ...aliyunValues,
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      NODE_NO_WARNINGS: '1',
    };
    // The function and the bare handler in turns, so that the machine's load falls on both alike.
    const times = initTimesMs([fn.bundle.path, bare], runEnv, RUNS);
    const init = median(times[0] ?? []);
    const bareInit = median(times[1] ?? []);
    const ratio = init / bareInit;
    worstRatio = Math.max(worstRatio, ratio);
    // Each run's init over the bare handler's right after it: the load of that moment falls on both,
    // so the spread of these shows how far one figure can be trusted.
    const runRatios = (times[0] ?? []).map((t, i) => t / (times[1]?.[i] ?? Number.NaN)).sort((a, b) => a - b);
    const quartile = (q: number) => runRatios[Math.floor(q * (runRatios.length - 1))] ?? Number.NaN;
    figures.push(
      {
        name: `${fn.name} bundle (deployed: minified ESM, @aws-sdk external, all chunks)`,
        value: fn.bundle.bytes / 1024,
        unit: 'KB',
        target: `≤ ${Math.min(BUNDLE_TARGET_KB, FUNCTIONS[fn.name].bundleBudgetKb)}`,
      },
      { name: `  of it read at a cold start`, value: fn.bundle.coldStartBytes / 1024, unit: 'KB' },
      { name: `${fn.name} cold module init (median of ${RUNS})`, value: init, unit: 'ms' },
      { name: `  bare SDK handler init, same runs (median of ${RUNS})`, value: bareInit, unit: 'ms' },
      {
        name: `${fn.name} init / bare SDK handler`,
        value: ratio,
        unit: 'x',
        target: `≤ ${INIT_RATIO_TARGET}`,
      },
      { name: '  run by run, each beside the bare run after it: p25', value: quartile(0.25), unit: 'x' },
      { name: '  run by run: median', value: quartile(0.5), unit: 'x' },
      { name: '  run by run: p75', value: quartile(0.75), unit: 'x' },
    );
  }
  figures.push({
    name: 'worst init ratio over all functions',
    value: worstRatio,
    unit: 'x',
    target: `≤ ${INIT_RATIO_TARGET}`,
  });
  return figures;
}
