// Who is calling the coordinators' API, and which centres they may see. A coordinator's centres come
// from the token's `custom:centres` claim; nothing else grants access.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import {
  type ApiAuthSettings,
  CENTRE_ADMIN_GROUP,
  CENTRES_CLAIM,
  GROUPS_CLAIM,
  LOCAL_TOKEN_AUDIENCE,
  LOCAL_TOKEN_ISSUER,
} from '#lib/config/api.ts';
import { UnauthorizedError } from '#lib/errors.ts';

export interface Caller {
  /** The token's subject (Cognito user id): what the audit fields record. */
  subject: string;
  centres: ReadonlySet<string>;
  /** In the `centre-admin` group: may invite coordinators and give them centres they hold themselves. */
  admin: boolean;
}

export type Authenticate = (event: APIGatewayProxyEventV2) => Promise<Caller>;

const CENTRE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller from verified claims; a token without a subject or a centre grants nothing. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const subject = claims.sub;
  const centresClaim = claims[CENTRES_CLAIM];
  if (typeof subject !== 'string' || subject.length === 0)
    throw new UnauthorizedError('token has no subject');
  if (typeof centresClaim !== 'string') throw new UnauthorizedError('token has no centres');
  const centres = centresClaim
    .split(',')
    .map((c) => c.trim())
    .filter((c) => CENTRE_ID.test(c));
  if (centres.length === 0) throw new UnauthorizedError('token has no centres');
  return {
    subject,
    centres: new Set(centres),
    admin: groupsOf(claims[GROUPS_CLAIM]).includes(CENTRE_ADMIN_GROUP),
  };
}

/**
 * The token's groups: a JSON array in the token itself (local tokens); API Gateway's JWT authorizer
 * passes an array claim on as one string, `[centre-admin other]`.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((g) => g.length > 0);
}

/** In AWS: API Gateway's JWT authorizer verified the token and passes its claims on. */
export function authorizerClaims(): Authenticate {
  return async (event) => {
    const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
    const claims = context.authorizer?.jwt?.claims;
    if (!claims) throw new UnauthorizedError('no authorizer claims');
    return callerFromClaims(claims);
  };
}

/** Locally: the handler verifies the bearer token itself (HS256, the local key, issuer, audience, expiry). */
export function localTokens(settings: Extract<ApiAuthSettings, { mode: 'local' }>): Authenticate {
  return async (event) => {
    const header = Object.entries(event.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'authorization',
    );
    const match = /^Bearer\s+(\S+)$/i.exec(header?.[1] ?? '');
    if (!match?.[1]) throw new UnauthorizedError('no bearer token');
    try {
      const { payload } = await jwtVerify(match[1], settings.signingKey, {
        algorithms: ['HS256'],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['exp', 'sub'],
      });
      return callerFromClaims(payload as Record<string, unknown>);
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      if (error instanceof joseErrors.JOSEError) throw new UnauthorizedError(`token rejected: ${error.code}`);
      throw error;
    }
  };
}

export function authenticator(settings: ApiAuthSettings): Authenticate {
  return settings.mode === 'local' ? localTokens(settings) : authorizerClaims();
}

/** A local token for a coordinator (npm start prints one for the demo coordinator; tests make their own). */
export async function issueLocalToken(
  signingKey: Uint8Array,
  claims: {
    subject: string;
    centres: readonly string[];
    /** Cognito groups, as the ID token carries them (`centre-admin`). */
    groups?: readonly string[];
    expiresIn?: string | number;
  },
): Promise<string> {
  return new SignJWT({
    [CENTRES_CLAIM]: claims.centres.join(','),
    ...(claims.groups?.length ? { [GROUPS_CLAIM]: [...claims.groups] } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(LOCAL_TOKEN_ISSUER)
    .setAudience(LOCAL_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(signingKey);
}
