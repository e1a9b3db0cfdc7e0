// How every function is bundled: esbuild, ESM, minified, the AWS SDK external, split into an entry
// (index.mjs) and chunks. A module the code loads with `await import()` (the roster's CSV parser and
// the phone metadata, say) becomes a chunk of its own that a cold start does not read; in one file,
// Node would compile it at every cold start. The bench and the tests bundle through the same options.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';
import { DockerImage } from 'aws-cdk-lib';
import { type BuildOptions, buildSync } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

const ENTRY_NAME = 'index';
/** The file Lambda loads. */
export const BUNDLE_ENTRY_FILE = `${ENTRY_NAME}.mjs`;
/** The function's handler setting: the entry's exported `handler`. */
export const BUNDLE_HANDLER = `${ENTRY_NAME}.handler`;

export const BUNDLE_BANNER = [
  // Some dependencies are CommonJS and require Node built-ins: the ESM bundle gets a require.
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  // zod without its JIT (what z.config({ jitless: true }) sets), before any schema is built: a Lambda
  // process parses each schema a few times, and compiling each object schema's parser on its first
  // parse cost more than it saves (the mainland SMS settings alone: about 10 ms of every cold start).
  'globalThis.__zod_globalConfig = { ...globalThis.__zod_globalConfig, jitless: true };',
].join(' ');

export function bundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { [ENTRY_NAME]: resolve(projectRoot, entry) },
    outdir,
    bundle: true,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // The AWS SDK v3 comes with the Node.js 22 runtime.
    external: ['@aws-sdk/*'],
    banner: { js: BUNDLE_BANNER },
    // The maps ship beside the code but Node does not load them (no --enable-source-maps): reading
    // and scanning one cost every cold start 15-45 ms. `npm run stack-trace` maps a logged stack.
    sourcemap: 'linked',
    sourcesContent: false,
    absWorkingDir: projectRoot,
    logLevel: 'error',
    write: false,
  };
}

/**
 * Bundles `entry` into `outdir` (index.mjs, chunks/, a map beside each). The maps name sources from
 * the project's root (`lib/config/parse-env.ts`), wherever the bundle was built.
 */
export function bundleFunctionSync(entry: string, outdir: string): void {
  const result = buildSync(bundleOptions(entry, outdir));
  for (const file of result.outputFiles ?? []) {
    let contents: string | Uint8Array = file.contents;
    if (file.path.endsWith('.map')) {
      const map = JSON.parse(file.text) as { sources: string[] };
      map.sources = map.sources.map((s) => relative(projectRoot, resolve(dirname(file.path), s)));
      contents = JSON.stringify(map);
    }
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, contents);
  }
}

/** The CDK bundles each function's asset with esbuild in this process: no Docker. */
export class EsbuildLocalBundling implements ILocalBundling {
  /** Part of the asset's cache key in the CDK (serialized): one per entry. */
  readonly entry: string;

  constructor(entry: string) {
    this.entry = entry;
  }

  tryBundle(outputDir: string): boolean {
    bundleFunctionSync(this.entry, outputDir);
    return true;
  }
}

/** Asset bundling options for a function's entry. */
export function functionBundling(entry: string): BundlingOptions {
  return {
    local: new EsbuildLocalBundling(entry),
    // Required by the type, never run: local bundling always succeeds or throws.
    image: DockerImage.fromRegistry('lianxin-bundles-locally'),
  };
}
