import type { TemplateRefusal } from '#lib/domain/broadcast-template-limits.ts';

/** One error hierarchy for the product; mapped to HTTP in one place (lib/http/error-response.ts). */
export class LianxinError extends Error {
  // Each class spells its name: a bundle's minifier renames classes, and logs show `name`.
  override readonly name: string = 'LianxinError';
}

/** Input that does not have the required shape: a 400 whose message is safe to show. */
export class ValidationError extends LianxinError {
  override readonly name: string = 'ValidationError';
}

/**
 * No registered mainland SMS template carries a message: `chars` is what had to fit (the variables' text, or the
 * whole message for the 500 limit) and `maxChars` what fits, so a caller can say it in its own words.
 */
export class TemplateLimitError extends ValidationError {
  override readonly name: string = 'TemplateLimitError';
  constructor(
    message: string,
    readonly limit: 'variables' | 'message',
    readonly chars: number,
    readonly maxChars: number,
  ) {
    super(message);
  }
}

/** A broadcast that a +86 provider's templates cannot carry: nothing is written or sent. A 400. */
export class BroadcastTemplateError extends ValidationError {
  override readonly name: string = 'BroadcastTemplateError';
  constructor(
    message: string,
    readonly refusals: readonly TemplateRefusal[],
  ) {
    super(message);
  }
}

/** A webhook not signed by its provider: a 403 that says nothing more. */
export class SignatureError extends LianxinError {
  override readonly name: string = 'SignatureError';
}

/** Missing or invalid configuration: fail loudly at cold start. */
export class ConfigError extends LianxinError {
  override readonly name: string = 'ConfigError';
}

/** Something we depend on failed (DynamoDB, a provider): a 500 that reveals nothing. */
export class DependencyError extends LianxinError {
  override readonly name: string = 'DependencyError';
}

/** A thing that does not exist or is not visible to the caller: a 404. */
export class NotFoundError extends LianxinError {
  override readonly name: string = 'NotFoundError';
}

/** A request without valid credentials (the coordinators' API): a 401 that says nothing more. */
export class UnauthorizedError extends LianxinError {
  override readonly name: string = 'UnauthorizedError';
}

/** A signed-in caller asking for what their role does not allow (not a centre admin): a 403. */
export class ForbiddenError extends LianxinError {
  override readonly name: string = 'ForbiddenError';
}

/** A request body over the size limit: a 413. */
export class PayloadTooLargeError extends LianxinError {
  override readonly name: string = 'PayloadTooLargeError';
}

/** The thing is not in a state that allows this (closed already): a 409 whose message is safe to show. */
export class ConflictError extends LianxinError {
  override readonly name: string = 'ConflictError';
}

/**
 * A record changed between the writer's read and its write (another coordinator, an import, a
 * person's STOP): nothing was written; read again and retry. A 409.
 */
export class VersionConflictError extends ConflictError {
  override readonly name: string = 'VersionConflictError';
  /** The record as it is stored now, as the caller may see it (the API's view), so they can choose. */
  readonly current: unknown;
  constructor(message: string, options?: { cause?: unknown; current?: unknown }) {
    super(message, options);
    this.current = options?.current;
  }
}

/** The id belongs to a family or contact erased on request: it cannot be recreated. A 409. */
export class ErasedError extends ConflictError {
  override readonly name: string = 'ErasedError';
}
