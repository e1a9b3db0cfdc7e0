// The AWS actions a bundle can send, read from the bundle itself: the SDK commands it imports (the
// SDK is external, so every command stays a named import), and for a TransactWriteItems the kinds of
// item the code builds (`Put:{TableName:…}` and so on survive minification as property names).
import { actionsOfCommand, type IamAction, TRANSACT_ITEM_ACTIONS } from '#lib/store/iam-actions.ts';

/**
 * Every `…Command` taken from an `@aws-sdk/*` package: named in a static import, or destructured from
 * a dynamic one (`let{InvokeCommand:i,…}=await import("@aws-sdk/client-lambda")`, a client loaded lazily).
 */
export function sdkCommandsOf(code: string): string[] {
  const names = new Set<string>();
  const add = (list: string, separator: RegExp) => {
    for (const spec of list.split(',')) {
      const name = spec.trim().split(separator)[0] ?? '';
      if (name.endsWith('Command')) names.add(name);
    }
  };
  for (const match of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/[^"]+"/g)) {
    add(match[1] ?? '', /\s+as\s+/);
  }
  for (const match of code.matchAll(/\{([^{}]*)\}\s*=\s*await\s+import\(\s*"@aws-sdk\/[^"]+"\s*\)/g)) {
    add(match[1] ?? '', /\s*:\s*/);
  }
  return [...names].sort();
}

/** The actions those commands need; a transaction's from the item kinds present in the code. */
export function actionsOfBundle(code: string): IamAction[] {
  const actions = new Set<IamAction>();
  for (const command of sdkCommandsOf(code)) {
    if (command === 'TransactWriteCommand' || command === 'TransactWriteItemsCommand') {
      for (const [kind, action] of Object.entries(TRANSACT_ITEM_ACTIONS)) {
        if (new RegExp(`[{,]${kind}:\\{TableName:`).test(code)) actions.add(action);
      }
      continue;
    }
    for (const { action } of actionsOfCommand(command, {})) actions.add(action);
  }
  return [...actions].sort();
}
