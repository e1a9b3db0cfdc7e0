// Each function's role as the synthesized template grants it, by what each statement is on (the
// table, an index, the send queue, …), read from the template and not from the code that made it.
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { FunctionName } from '#infra/function-catalog.ts';
import { deployedFunctions, type Synthesized } from '#tests/infra/synth.ts';

/** Allowed actions by target (`table`, `table/index/due`, `sendQueue`, `deadLetterQueue`, `self`, …). */
export type RolePolicy = Record<string, string[]>;
export type RolePolicies = Record<FunctionName, RolePolicy>;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

export function rolePoliciesOf(synthesized: Synthesized): RolePolicies {
  const { stateful, stateless, templates } = synthesized;
  const t = templates.stateless;
  const tableId = logicalId(stateful, stateful.table);
  const keyId = logicalId(stateful, stateful.key);
  const userPoolId = logicalId(stateful, stateful.coordinators);
  const queueId = logicalId(stateless, stateless.sendQueue.queue);
  const dlqId = logicalId(stateless, stateless.sendQueue.deadLetterQueue);
  const policies = Object.values(t.findResources('AWS::IAM::Policy'));
  const logGroups = new Set(Object.keys(t.findResources('AWS::Logs::LogGroup')));
  const result: Partial<RolePolicies> = {};
  for (const fn of deployedFunctions(synthesized)) {
    const props = t.findResources('AWS::Lambda::Function')[fn.logicalId]?.Properties as {
      Role: { 'Fn::GetAtt': [string, string] };
    };
    const roleId = props.Role['Fn::GetAtt'][0];
    const targetOf = (resource: unknown): string => {
      if (resource === '*') return '*';
      const json = JSON.stringify(resource);
      const index = /"\/index\/([^"]+)"/.exec(json);
      if (index && json.includes(`GetAtt${tableId}Arn`)) return `table/index/${index[1]}`;
      if (json.includes(`GetAtt${tableId}Arn`)) return 'table';
      if (json.includes(`GetAtt${keyId}Arn`)) return 'key';
      if (json.includes(`GetAtt${userPoolId}Arn`)) return 'userPool';
      if (json.includes(':s3:::') && json.includes('-exports-') && json.includes('/exports/*'))
        return 'exportBucket';
      if (json === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] })) return 'sendQueue';
      if (json === JSON.stringify({ 'Fn::GetAtt': [dlqId, 'Arn'] })) return 'deadLetterQueue';
      if (json === JSON.stringify({ 'Fn::GetAtt': [fn.logicalId, 'Arn'] })) return 'self';
      if (json.includes('Secret')) return 'secret';
      const getAtt = (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt && logGroups.has(getAtt[0])) return 'logs';
      return `other:${json}`;
    };
    const policy: RolePolicy = {};
    for (const p of policies) {
      const roles = JSON.stringify(p.Properties.Roles);
      if (!roles.includes(JSON.stringify({ Ref: roleId }))) continue;
      for (const st of p.Properties.PolicyDocument.Statement as Statement[]) {
        if (st.Effect !== 'Allow') continue;
        for (const resource of [st.Resource].flat()) {
          const target = targetOf(resource);
          policy[target] = [...new Set([...(policy[target] ?? []), ...[st.Action].flat()])].sort();
        }
      }
    }
    result[fn.name] = policy;
  }
  return result as RolePolicies;
}
