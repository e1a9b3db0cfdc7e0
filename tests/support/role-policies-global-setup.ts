// Synthesizes the CDK app once for the integration run (no bundling) and hands every test file each
// function's role, so that the clients a function's wiring builds refuse what AWS would refuse.
import type { TestProject } from 'vitest/node';
import { PROD_CONTEXT, synthesize } from '#tests/infra/synth.ts';
import { type RolePolicies, rolePoliciesOf } from '#tests/support/role-policies.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    rolePolicies: RolePolicies;
  }
}

export default function setup(project: TestProject): void {
  project.provide('rolePolicies', rolePoliciesOf(synthesize(PROD_CONTEXT)));
}
