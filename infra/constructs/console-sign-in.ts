import { Duration, Stack } from 'aws-cdk-lib';
import {
  CfnManagedLoginBranding,
  ClientAttributes,
  type IUserPool,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { StageConfig } from '#infra/stage.ts';
import { CENTRES_CLAIM } from '#lib/config/api.ts';

// Where Cognito sends the browser back with the code, and where sign-out lands: the console's own paths.
import { CALLBACK_PATH, SIGNED_OUT_PATH } from '../../web/src/runtime-config.ts';

export { CALLBACK_PATH, SIGNED_OUT_PATH };

/** The managed login's domain prefix: `-c authDomainPrefix=…`, else the stage prefix and the account. */
export function authDomainPrefix(scope: Construct, stage: StageConfig): string {
  return stage.authDomainPrefix ?? `${stage.prefix}-${Stack.of(scope).account}`;
}

/** prefix.auth.region.amazoncognito.com: known before the domain resource exists. */
export function authDomainName(scope: Construct, stage: StageConfig): string {
  return `${authDomainPrefix(scope, stage)}.auth.${Stack.of(scope).region}.amazoncognito.com`;
}

export interface ConsoleSignInProps {
  readonly stage: StageConfig;
  readonly userPool: IUserPool;
}

/**
 * Cognito's managed login for the console: the pool's domain and a public app client (no secret)
 * for the authorization code flow with PKCE, whose ID token (custom:centres, cognito:groups) the
 * console sends to the API. Its callback and sign-out URLs are on the console's own domain.
 */
export class ConsoleSignIn extends Construct {
  readonly domain: UserPoolDomain;
  readonly client: UserPoolClient;
  /** prefix.auth.region.amazoncognito.com */
  readonly domainName: string;
  /** The ID tokens' issuer (https://cognito-idp.region.amazonaws.com/poolId), which the console checks. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: ConsoleSignInProps & { consoleUrl: string }) {
    super(scope, id);
    const { stage, userPool } = props;
    this.domain = new UserPoolDomain(this, 'Domain', {
      userPool,
      cognitoDomain: { domainPrefix: authDomainPrefix(this, stage) },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.domainName = authDomainName(this, stage);
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${userPool.userPoolId}`;
    this.client = new UserPoolClient(this, 'WebClient', {
      userPool,
      userPoolClientName: `${stage.prefix}-console-web`,
      // A browser cannot keep a secret: a public client, PKCE protects the code.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.consoleUrl}${CALLBACK_PATH}`],
        logoutUrls: [`${props.consoleUrl}${SIGNED_OUT_PATH}`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      // A shared phone: short sessions; the refresh token is not kept by the console.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // A coordinator must never widen their own centres: no attribute is writable by the user.
      writeAttributes: new ClientAttributes(),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, phoneNumber: true })
        .withCustomAttributes(CENTRES_CLAIM.replace(/^custom:/, '')),
    });
    // Managed login (v2) shows a page only for a client with a style: Cognito's default one.
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
  }
}
