// What each repository and adapter may send to AWS, declared once on the class that sends it. A
// function's wiring lists what it builds (lib/wiring/function-access.ts); the CDK grants the union
// (infra/constructs/code-grants.ts). Two checks come from the other side: the bundle test reads the
// SDK commands of each deployed bundle, and the integration tests' clients refuse whatever the
// synthesized role does not allow (tests/support/iam-enforcing-client.ts).

/** An IAM action of a service lianxin's code talks to. */
export type IamAction =
  `${'dynamodb' | 'sqs' | 'lambda' | 'secretsmanager' | 'kms' | 's3' | 'scheduler' | 'cognito-idp'}:${string}`;

/**
 * What an action is sent to, by role rather than by ARN: the table, one of its indexes, the send
 * queue, its dead-letter queue, the function itself (an async self-invoke), the coordinators' user pool.
 */
export type AwsTarget =
  | 'table'
  | `table/index/${string}`
  | 'sendQueue'
  | 'deadLetterQueue'
  | 'self'
  | 'userPool'
  /** The objects under exports/ of the exports bucket. */
  | 'exportBucket';

/** Actions by target. */
export type AwsAccess = Partial<Record<AwsTarget, readonly IamAction[]>>;

/** A class that talks to AWS declares, on its static side, every action its methods can send. */
export interface SendsToAws {
  readonly awsAccess: AwsAccess;
}

/** The union of what these classes send, each target's actions sorted and without repeats. */
export function accessOf(...classes: readonly SendsToAws[]): AwsAccess {
  const merged = new Map<AwsTarget, Set<IamAction>>();
  for (const { awsAccess } of classes) {
    for (const [target, actions] of Object.entries(awsAccess) as [AwsTarget, readonly IamAction[]][]) {
      const set = merged.get(target) ?? new Set<IamAction>();
      for (const action of actions) set.add(action);
      merged.set(target, set);
    }
  }
  return Object.fromEntries(
    // Code-point order: runs at cold start, where localeCompare's first call loads ICU collation (~10 ms).
    [...merged.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([t, s]) => [t, [...s].sort()]),
  );
}

/**
 * The IAM action each AWS SDK v3 command needs (the DocumentClient's and the low-level client's
 * names). A transaction needs one action per kind of item it holds: see `transactItemAction`.
 */
export const COMMAND_ACTIONS: Readonly<Record<string, IamAction>> = {
  GetCommand: 'dynamodb:GetItem',
  GetItemCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  BatchWriteItemCommand: 'dynamodb:BatchWriteItem',
  TransactGetCommand: 'dynamodb:GetItem',
  TransactGetItemsCommand: 'dynamodb:GetItem',
  DescribeTableCommand: 'dynamodb:DescribeTable',
  CreateTableCommand: 'dynamodb:CreateTable',
  UpdateTableCommand: 'dynamodb:UpdateTable',
  DescribeTimeToLiveCommand: 'dynamodb:DescribeTimeToLive',
  UpdateTimeToLiveCommand: 'dynamodb:UpdateTimeToLive',
  ListTablesCommand: 'dynamodb:ListTables',
  SendMessageCommand: 'sqs:SendMessage',
  // SendMessageBatch is authorized as sqs:SendMessage (SQS has no separate batch action).
  SendMessageBatchCommand: 'sqs:SendMessage',
  ChangeMessageVisibilityCommand: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatchCommand: 'sqs:ChangeMessageVisibility',
  DeleteMessageCommand: 'sqs:DeleteMessage',
  ReceiveMessageCommand: 'sqs:ReceiveMessage',
  GetSecretValueCommand: 'secretsmanager:GetSecretValue',
  InvokeCommand: 'lambda:InvokeFunction',
  CreateScheduleCommand: 'scheduler:CreateSchedule',
  DeleteScheduleCommand: 'scheduler:DeleteSchedule',
  PutObjectCommand: 's3:PutObject',
  GetObjectCommand: 's3:GetObject',
  // The coordinators' accounts (Cognito admin API: invitations and centres).
  ListUsersCommand: 'cognito-idp:ListUsers',
  ListUsersInGroupCommand: 'cognito-idp:ListUsersInGroup',
  AdminGetUserCommand: 'cognito-idp:AdminGetUser',
  AdminCreateUserCommand: 'cognito-idp:AdminCreateUser',
  AdminUpdateUserAttributesCommand: 'cognito-idp:AdminUpdateUserAttributes',
};

/** The kinds of item a TransactWriteItems request holds, and the action each needs. */
export const TRANSACT_ITEM_ACTIONS = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
} as const satisfies Record<string, IamAction>;

const TRANSACT_WRITES = new Set(['TransactWriteCommand', 'TransactWriteItemsCommand']);

/**
 * The actions one command needs, from its name and input (a transaction: one per kind of item; the
 * target: the index when a Query or Scan names one). Throws for a command this module does not know,
 * so a new kind of request cannot slip past the checks.
 */
export function actionsOfCommand(
  commandName: string,
  input: Record<string, unknown>,
): { target: AwsTarget | 'other'; action: IamAction }[] {
  if (TRANSACT_WRITES.has(commandName)) {
    const items = (input.TransactItems ?? []) as Record<string, unknown>[];
    const kinds = new Set(items.flatMap((item) => Object.keys(item)));
    return [...kinds].map((kind) => {
      const action = TRANSACT_ITEM_ACTIONS[kind as keyof typeof TRANSACT_ITEM_ACTIONS];
      if (!action) throw new Error(`unknown transaction item kind ${kind}`);
      return { target: 'table' as const, action };
    });
  }
  const action = COMMAND_ACTIONS[commandName];
  if (!action) throw new Error(`no IAM action known for ${commandName}: add it to COMMAND_ACTIONS`);
  if (action.startsWith('dynamodb:')) {
    const index = input.IndexName;
    return [{ target: typeof index === 'string' ? `table/index/${index}` : 'table', action }];
  }
  return [{ target: 'other', action }];
}
