import { type App, Tags } from 'aws-cdk-lib';
import { type StageConfig, stageConfigFrom } from './stage.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';
import { WebContentStack } from './web-content-stack.ts';

export interface Lianxin {
  readonly stage: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly web: WebContentStack;
}

/**
 * The stacks of one stage (data, the rest, the console's files). Environment-agnostic (account and region come from the credentials at
 * deploy time), so synthesis needs neither credentials nor network.
 */
export function createLianxin(app: App): Lianxin {
  const stage = stageConfigFrom(app);
  const stateful = new StatefulStack(app, `${stage.prefix}-stateful`, { stage });
  const stateless = new StatelessStack(app, `${stage.prefix}-stateless`, {
    stage,
    data: {
      table: stateful.table,
      key: stateful.key,
      twilioSecret: stateful.twilioSecret,
      aliyunSmsSecret: stateful.aliyunSmsSecret,
      tencentSmsSecret: stateful.tencentSmsSecret,
      wechatSecret: stateful.wechatSecret,
      coordinators: { userPool: stateful.coordinators, client: stateful.coordinatorsClient },
    },
  });
  const web = new WebContentStack(app, `${stage.prefix}-web`, { stage, stateless });
  Tags.of(app).add('project', 'lianxin');
  Tags.of(app).add('stage', stage.name);
  return { stage, stateful, stateless, web };
}
