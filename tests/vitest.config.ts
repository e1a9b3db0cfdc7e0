import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
// CI asks for a JSON report to count results from; locally the default reporter is enough.
const jsonReport = process.env.LIANXIN_TEST_REPORT;

export default defineConfig({
  test: {
    root,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: [
            'tests/support/dynamodb-global-setup.ts',
            'tests/support/role-policies-global-setup.ts',
          ],
          testTimeout: 30_000,
          // The handlers log every turn; tests read outcomes, not logs (the logger has its own unit tests).
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          // Synthesis imports aws-cdk-lib (seconds) and one test bundles every function.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
