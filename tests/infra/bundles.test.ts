import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '#infra/constructs/lianxin-function.ts';
import { FUNCTION_NAMES, FUNCTIONS } from '#infra/function-catalog.ts';
import { deployedFunctions, synthesize } from './synth.ts';

const outdir = mkdtempSync(join(tmpdir(), 'lianxin-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('function bundles', () => {
  // The one infra test that really bundles (esbuild through the CDK, as `cdk deploy` does).
  it('bundles every function as minified ESM with source maps, each within its budget', () => {
    const functions = deployedFunctions(synthesize({}, { bundle: true, outdir }));
    expect(functions.map((f) => f.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    const overBudget: string[] = [];
    for (const fn of functions) {
      if (!fn.bundle) throw new Error(`${fn.name} was not bundled`);
      const code = readFileSync(fn.bundle.path, 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // The AWS SDK v3 stays external: it comes with the runtime.
      expect(code).toMatch(/from\s*"@aws-sdk\//);
      const kb = fn.bundle.bytes / 1024;
      if (kb > FUNCTIONS[fn.name].bundleBudgetKb) {
        overBudget.push(`${fn.name}: ${kb.toFixed(0)} KB > ${FUNCTIONS[fn.name].bundleBudgetKb} KB`);
      }
    }
    expect(overBudget).toEqual([]);
  });
});
