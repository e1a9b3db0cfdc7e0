// Where the business metrics and traces go: read once at cold start by every entry point
// (lib/observability/process-observability.ts). CDK sets both per function (infra/constructs/lianxin-function.ts).
import * as z from '#lib/zod.ts';
import { type Env, parseEnv, withLocalDefaults } from './parse-env.ts';

export const observabilityEnvSchema = z.object({
  POWERTOOLS_METRICS_NAMESPACE: z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9_./#:-]{1,255}$/, 'must be a CloudWatch namespace'),
      z.describe(
        "CloudWatch namespace of the business metrics (EMF); the dashboard and alarms read the stage's",
      ),
    ),
  POWERTOOLS_SERVICE_NAME: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.describe(
        'The function, as logs and traces name it (its catalogue name in infra/function-catalog.ts)',
      ),
    ),
});

export type ObservabilitySettings = z.infer<typeof observabilityEnvSchema>;

export function loadObservabilitySettings(env: Env = process.env): ObservabilitySettings {
  return parseEnv(observabilityEnvSchema, withLocalDefaults(env));
}
