import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
// CI asks for a JSON report to count results from; locally the default reporter is enough.
const jsonReport = process.env.LIANXIN_TEST_REPORT;
// Files and tests run in a random order, so that no test can lean on another's leftovers. The seed
// is printed; LIANXIN_TEST_SEED=<seed> replays that order.
// (Vitest reads this file once per project: the first reading picks the seed, the others reuse it.)
const printed = process.env.LIANXIN_TEST_SEED_PRINTED === '1';
const seed = testSeed(process.env.LIANXIN_TEST_SEED);
process.env.LIANXIN_TEST_SEED = String(seed);
process.env.LIANXIN_TEST_SEED_PRINTED = '1';
if (!printed) console.log(`test order seed ${seed} (replay: LIANXIN_TEST_SEED=${seed})`);

function testSeed(fromEnv: string | undefined): number {
  if (fromEnv === undefined || fromEnv === '') return Math.floor(Math.random() * 2 ** 31);
  const value = Number(fromEnv);
  if (!Number.isSafeInteger(value)) throw new Error(`LIANXIN_TEST_SEED must be an integer, not ${fromEnv}`);
  return value;
}

/** Files that start their own DynamoDB Local (Java) or `npm start`. */
const STARTS_PROCESSES = [
  'tests/e2e/**/*.test.ts',
  'tests/integration/store-dynamodb-local.test.ts',
  'tests/integration/store-weekly-rhythm.test.ts',
];

/** What every test on DynamoDB Local shares. */
const integration = {
  // DynamoDB Local, and each function's synthesized role for the IAM-enforcing clients.
  globalSetup: ['tests/support/dynamodb-global-setup.ts', 'tests/support/role-policies-global-setup.ts'],
  // Bounds, not measures: a test takes seconds on a quiet machine, and may take far longer on a busy one.
  testTimeout: 60_000,
  // The handlers log every turn; tests read outcomes, not logs (the logger has its own unit tests).
  env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    root,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    sequence: { shuffle: { files: true, tests: true }, seed },
    // Vitest's default (one worker fewer than the cores) is a single worker on a 2-core machine.
    // Unit and integration files run two at a time: the integration files mostly wait on the one
    // DynamoDB Local, each with its own table and free ports. What starts its own Java or server, and
    // the CDK bundling, runs afterwards one file at a time (maxWorkers 1): several JVMs starting at
    // once on two busy cores outlast any sensible bound.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude: STARTS_PROCESSES,
          ...integration,
        },
      },
      {
        extends: true,
        test: {
          name: 'processes',
          include: STARTS_PROCESSES,
          ...integration,
          maxWorkers: 1,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          // Synthesis imports aws-cdk-lib (seconds) and one test bundles every function (20 s on a
          // quiet machine, a minute and more on a busy one): bounds, not measures.
          testTimeout: 180_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
