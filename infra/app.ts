// The CDK app (cdk.json: `npx tsx infra/app.ts`). `npm run synth`, or `npx cdk deploy --all -c stage=prod …`.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createLianxin } from './lianxin.ts';

const app = new App();
createLianxin(app);
// Synthesis fails on any cdk-nag finding that is not acknowledged (with its reason) in the code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
