// Every integration test is an IAM test: the clients a function's wiring builds carry a middleware
// that reads that function's role from the synthesized template (tests/support/role-policies.ts) and
// refuses, as AWS would, any request whose action the role does not allow on its target.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { actionsOfCommand } from '#lib/store/iam-actions.ts';
import type { FunctionScope } from '#lib/wiring/store-adapters.ts';
import type { RolePolicies, RolePolicy } from '#tests/support/role-policies.ts';

/** What AWS answers a request its caller's role does not allow. */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $metadata = { httpStatusCode: 400 };
  readonly $fault = 'client';

  constructor(functionName: string, action: string, target: string) {
    super(
      `User: arn:aws:sts::123456789012:assumed-role/${functionName}/${functionName} is not authorized to perform: ${action} on resource: ${target} because no identity-based policy allows the ${action} action`,
    );
  }
}

export function allows(policy: RolePolicy, target: string, action: string): boolean {
  return (policy[target] ?? []).includes(action) || (policy['*'] ?? []).includes(action);
}

export const IAM_ENFORCER_MIDDLEWARE = 'lianxinIamEnforcer';

/** A DynamoDB client on `endpoint` that sends only what `functionName`'s role allows. */
export function iamEnforcingClient(opts: {
  endpoint: string;
  functionName: string;
  policy: RolePolicy;
  onRequest?: (commandName: string) => void;
}): DynamoDBDocumentClient {
  const client = createDocumentClient({
    region: 'local',
    endpoint: opts.endpoint,
    onRequest: opts.onRequest,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      for (const { target, action } of actionsOfCommand(context.commandName ?? 'unknown', input)) {
        if (!allows(opts.policy, target, action))
          throw new AccessDeniedError(opts.functionName, action, target);
      }
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: IAM_ENFORCER_MIDDLEWARE },
  );
  return client;
}

/** The send queue as `functionName`'s role lets it be used: sending needs sqs:SendMessage on it. */
export function iamEnforcingQueue(queue: SendQueue, functionName: string, policy: RolePolicy): SendQueue {
  return {
    send: async (bodies, delaySeconds) => {
      if (!allows(policy, 'sendQueue', 'sqs:SendMessage')) {
        throw new AccessDeniedError(functionName, 'sqs:SendMessage', 'sendQueue');
      }
      return queue.send(bodies, delaySeconds);
    },
  };
}

/**
 * The scope a test table's client is registered with: each function's wiring gets a client (one per
 * function, counted in the table's `requests` like the table's own) and a queue that enforce its role.
 */
export function iamEnforcingScope(
  table: { endpoint: string; requests: string[] },
  policies: RolePolicies,
): FunctionScope {
  const clients = new Map<string, DynamoDBDocumentClient>();
  return (functionName, adapters) => {
    const policy = policies[functionName as keyof RolePolicies];
    if (!policy) throw new Error(`no role for ${functionName} in the synthesized template`);
    let client = clients.get(functionName);
    if (!client) {
      client = iamEnforcingClient({
        endpoint: table.endpoint,
        functionName,
        policy,
        onRequest: (name) => table.requests.push(name),
      });
      clients.set(functionName, client);
    }
    return {
      client,
      ...(adapters.queue ? { queue: iamEnforcingQueue(adapters.queue, functionName, policy) } : {}),
    };
  };
}
