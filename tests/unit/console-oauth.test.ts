// The console's sign-in in AWS (web/src/oauth.ts): the PKCE parts, the authorize URL, the runtime
// config, and the callback against a fake token endpoint (no network: the fetch is injected).

import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  beginSignIn,
  completeSignIn,
  parseRuntimeConfig,
  signOutUrl,
} from '../../web/src/oauth.ts';

const config = {
  auth: 'cognito' as const,
  signInUrl: 'https://lianxin-prod-123.auth.ap-east-1.amazoncognito.com',
  clientId: 'client123',
  issuer: 'https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_Test',
};
const origin = 'https://d111.cloudfront.net';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await calculatePKCECodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('sends the challenge of a fresh verifier and state each time, never the verifier', async () => {
    const a = await beginSignIn(config, origin);
    const b = await beginSignIn(config, origin);
    expect(a.pending.verifier).not.toBe(b.pending.verifier);
    expect(a.pending.state).not.toBe(b.pending.state);
    expect(a.pending.verifier.length).toBeGreaterThanOrEqual(43);
    const url = new URL(a.url);
    expect(url.searchParams.get('code_challenge')).toBe(await calculatePKCECodeChallenge(a.pending.verifier));
    expect(a.url).not.toContain(a.pending.verifier);
  });

  it('asks Cognito for a code, back to the console callback, with openid', () => {
    const url = new URL(authorizeUrl(config, origin, 'CHALLENGE', 'STATE'));
    expect(url.origin + url.pathname).toBe(`${config.signInUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: `${origin}/auth/callback`,
      scope: 'openid email profile',
      code_challenge: 'CHALLENGE',
      code_challenge_method: 'S256',
      state: 'STATE',
    });
    const out = new URL(signOutUrl(config, origin));
    expect(out.searchParams.get('logout_uri')).toBe(`${origin}/sign-in`);
  });
});

describe('the runtime config', () => {
  it('reads local and Cognito configs and refuses anything else', () => {
    expect(parseRuntimeConfig({ auth: 'local' })).toEqual({ auth: 'local' });
    expect(parseRuntimeConfig({ ...config, signInUrl: `${config.signInUrl}/` })).toEqual(config);
    expect(() => parseRuntimeConfig({ ...config, signInUrl: 'http://plain.example.org' })).toThrow();
    expect(() => parseRuntimeConfig({ auth: 'cognito', signInUrl: config.signInUrl })).toThrow();
    expect(() => parseRuntimeConfig(undefined)).toThrow();
  });
});

describe('the callback', () => {
  const idToken = (claims: Record<string, unknown>) =>
    `${b64url({ alg: 'RS256', kid: 'k' })}.${b64url(claims)}.c2lnbmF0dXJl`;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: config.issuer,
    aud: config.clientId,
    sub: 'sub-1',
    iat: now,
    exp: now + 3600,
    name: '王老师',
    'custom:centres': 'centre-a, centre-b',
    'cognito:groups': ['centre-admin'],
  };

  it('redeems the code with the verifier at the console’s own /oauth2/token and reads the ID token', async () => {
    const requests: { url: string; body: string }[] = [];
    const fakeFetch = (async (url: string, init: { body: URLSearchParams }) => {
      requests.push({ url: String(url), body: String(init.body) });
      return new Response(
        JSON.stringify({
          id_token: idToken(claims),
          access_token: 'at',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    }) as unknown as typeof fetch;
    const signedIn = await completeSignIn(
      config,
      new URL(`${origin}/auth/callback?code=CODE&state=S1`),
      { verifier: 'V'.repeat(43), state: 'S1' },
      fakeFetch,
    );
    expect(signedIn).toEqual({
      token: idToken(claims),
      name: '王老师',
      centres: ['centre-a', 'centre-b'],
      admin: true,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe(`${origin}/oauth2/token`);
    const body = new URLSearchParams(requests[0]?.body);
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code')).toBe('CODE');
    expect(body.get('code_verifier')).toBe('V'.repeat(43));
    expect(body.get('client_id')).toBe('client123');
    expect(body.get('redirect_uri')).toBe(`${origin}/auth/callback`);
  });

  it('refuses a callback whose state is not ours, before any token request', async () => {
    let called = false;
    const fakeFetch = (async () => {
      called = true;
      return new Response('{}');
    }) as unknown as typeof fetch;
    await expect(
      completeSignIn(
        config,
        new URL(`${origin}/auth/callback?code=C&state=OTHER`),
        { verifier: 'v', state: 'S1' },
        fakeFetch,
      ),
    ).rejects.toThrow();
    expect(called).toBe(false);
  });

  it('refuses an ID token for another client', async () => {
    const fakeFetch = (async () =>
      new Response(
        JSON.stringify({
          id_token: idToken({ ...claims, aud: 'someone-else' }),
          access_token: 'at',
          token_type: 'Bearer',
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      )) as unknown as typeof fetch;
    await expect(
      completeSignIn(
        config,
        new URL(`${origin}/auth/callback?code=C&state=S1`),
        { verifier: 'V'.repeat(43), state: 'S1' },
        fakeFetch,
      ),
    ).rejects.toThrow();
  });
});
