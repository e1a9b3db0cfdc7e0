// `npm run stack-trace -- <function> [--cdk-out dir]`, a logged stack or log record on stdin: the stack
// with each position in the minified bundle (index.mjs or a chunk) mapped to its source. Synthesize
// the deployed commit first (`npm run synth`, same stage context), so that cdk.out holds its bundle.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { functionAssets } from '#lib/local/function-assets.ts';
import { mapStackTrace, stacksIn } from '#lib/observability/stack-trace.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'cdk-out': { type: 'string', default: 'cdk.out' } },
});
const target = positionals[0];
if (!target) {
  console.error(
    'usage: npm run stack-trace -- <function name | bundle directory> [--cdk-out dir] < stack.txt',
  );
  process.exit(2);
}

const dir = existsSync(join(target, 'index.mjs.map'))
  ? target
  : target.endsWith('.map')
    ? dirname(target)
    : bundleOfFunction(target, values['cdk-out']);
const mapOf = (file: string) => {
  const path = join(dir, `${file}.map`);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
};
const input = readFileSync(0, 'utf8');
for (const stack of stacksIn(input)) console.log(mapStackTrace(stack, mapOf));

/** The function's bundle directory in a synthesized cdk.out (its Code S3Key names the asset). */
function bundleOfFunction(name: string, cdkOut: string): string {
  if (!existsSync(cdkOut)) {
    console.error(`no ${cdkOut}: run \`npm run synth\` on the deployed commit first`);
    process.exit(2);
  }
  const found: string[] = [];
  for (const file of readdirSync(cdkOut).filter((f) => f.endsWith('-stateless.template.json'))) {
    const template = JSON.parse(readFileSync(join(cdkOut, file), 'utf8')) as {
      Resources: Record<string, { Type?: unknown; Properties?: unknown }>;
    };
    for (const fn of functionAssets(template.Resources, cdkOut)) {
      if (fn.name === name && fn.dir) found.push(fn.dir);
    }
  }
  const existing = found.filter((path) => existsSync(join(path, 'index.mjs.map')));
  if (existing.length !== 1) {
    console.error(
      existing.length === 0
        ? `no bundle of ${name} in ${cdkOut}: run \`npm run synth\` on the deployed commit first`
        : `${name} is in more than one synthesized stage: pass its bundle directory (${existing.join(', ')})`,
    );
    process.exit(2);
  }
  return existing[0] as string;
}
