// Sign-in in AWS: Cognito's managed login by the authorization code flow with PKCE, done with
// oauth4webapi (small, maintained, no dependencies; it checks state, the token response and the ID
// token's claims). The page reads its runtime config (/config.json, written by the deployment); the
// token request goes to /oauth2/token on the console's own domain (CloudFront passes it to Cognito),
// so the CSP's connect-src stays 'self'. Nothing here touches the DOM: the pages pass in what they need.
import * as oauth from 'oauth4webapi';
import { CALLBACK_PATH, type RuntimeConfig, SIGNED_OUT_PATH } from './runtime-config.ts';

export { CALLBACK_PATH, parseRuntimeConfig, type RuntimeConfig, SIGNED_OUT_PATH } from './runtime-config.ts';

const SCOPES = 'openid email profile';
const CENTRES_CLAIM = 'custom:centres';
const ADMIN_GROUP = 'centre-admin';

/** What the browser keeps (sessionStorage) between leaving for the sign-in page and coming back. */
export interface PendingSignIn {
  verifier: string;
  state: string;
}

export async function beginSignIn(
  config: Extract<RuntimeConfig, { auth: 'cognito' }>,
  origin: string,
): Promise<{ pending: PendingSignIn; url: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  return { pending: { verifier, state }, url: authorizeUrl(config, origin, challenge, state) };
}

export function authorizeUrl(
  config: Extract<RuntimeConfig, { auth: 'cognito' }>,
  origin: string,
  challenge: string,
  state: string,
): string {
  const url = new URL(`${config.signInUrl}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    scope: SCOPES,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  return url.toString();
}

export function signOutUrl(config: Extract<RuntimeConfig, { auth: 'cognito' }>, origin: string): string {
  const url = new URL(`${config.signInUrl}/logout`);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    logout_uri: `${origin}${SIGNED_OUT_PATH}`,
  }).toString();
  return url.toString();
}

export interface SignedIn {
  /** The ID token: it carries custom:centres and cognito:groups, which the API scopes by. */
  token: string;
  name: string;
  centres: string[];
  admin: boolean;
}

/** The callback: checks state, redeems the code with the verifier, checks the ID token's claims. */
export async function completeSignIn(
  config: Extract<RuntimeConfig, { auth: 'cognito' }>,
  callback: URL,
  pending: PendingSignIn,
  fetchImpl: typeof fetch = fetch,
): Promise<SignedIn> {
  const as: oauth.AuthorizationServer = {
    issuer: config.issuer,
    authorization_endpoint: `${config.signInUrl}/oauth2/authorize`,
    token_endpoint: `${callback.origin}/oauth2/token`,
  };
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    `${callback.origin}${CALLBACK_PATH}`,
    pending.verifier,
    { [oauth.customFetch]: fetchImpl },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!claims || !result.id_token) throw new Error('no ID token');
  return signedInFrom(result.id_token, claims as Record<string, unknown>);
}

export function signedInFrom(token: string, claims: Record<string, unknown>): SignedIn {
  const centres = String(claims[CENTRES_CLAIM] ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const groups = claims['cognito:groups'];
  return {
    token,
    name: String(claims.name ?? claims.email ?? claims.sub ?? ''),
    centres,
    admin: Array.isArray(groups) && groups.includes(ADMIN_GROUP),
  };
}
