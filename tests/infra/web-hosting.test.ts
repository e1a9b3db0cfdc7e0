// The console in AWS: the private bucket behind CloudFront (Origin Access Control), the API and
// Cognito's token endpoint on the same domain, the security headers the local server sends too,
// the managed-login app client (code + PKCE, no secret), and the files with their runtime config.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, SIGNED_OUT_PATH } from '#infra/constructs/console-sign-in.ts';
import { createLianxin } from '#infra/lianxin.ts';
import { WebContentStack } from '#infra/web-content-stack.ts';
import { WEB_SECURITY_HEADERS } from '#lib/local/web-static.ts';
import { PROD_CONTEXT, type Synthesized, synthesize } from './synth.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let prod: Synthesized;
let t: Template;
const scratch = mkdtempSync(join(tmpdir(), 'lianxin-web-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  prod = synthesize(PROD_CONTEXT);
  t = prod.templates.stateless;
});

function only(type: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(t.findResources(type));
  expect(found).toHaveLength(1);
  const [id, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { id, props: resource.Properties };
}

describe('the console bucket', () => {
  it('is private, encrypted, TLS-only, and logged', () => {
    const buckets = Object.values(t.findResources('AWS::S3::Bucket'));
    for (const b of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      });
    }
    const app = buckets.find((b) => b.Properties.LoggingConfiguration);
    expect(app?.Properties.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'web-bucket/' });
    for (const policy of Object.values(t.findResources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('is read by CloudFront only, through Origin Access Control (no public read, no OAI)', () => {
    const oac = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.props.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const dist = only('AWS::CloudFront::Distribution');
    const config = dist.props.DistributionConfig as {
      Origins: {
        Id: string;
        S3OriginConfig?: { OriginAccessIdentity: string };
        OriginAccessControlId?: unknown;
      }[];
    };
    const s3 = config.Origins.filter((o) => o.S3OriginConfig);
    expect(s3).toHaveLength(1);
    expect(s3[0]?.S3OriginConfig?.OriginAccessIdentity).toBe('');
    expect(s3[0]?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oac.id, 'Id'] });
    expect(t.findResources('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual({});
    const appPolicy = Object.values(t.findResources('AWS::S3::BucketPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((st) => st.Effect === 'Allow' && JSON.stringify(st.Action).includes('s3:GetObject'));
    expect(appPolicy).toHaveLength(1);
    expect(appPolicy[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(JSON.stringify(appPolicy[0]?.Condition)).toContain('AWS:SourceArn');
  });
});

describe('the distribution', () => {
  it('serves the app by default and the API and the token endpoint on the same domain, uncached', () => {
    const config = only('AWS::CloudFront::Distribution').props.DistributionConfig as {
      DefaultRootObject: string;
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
      Logging: unknown;
      CustomErrorResponses?: unknown;
    };
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/api/*', '/oauth2/*']);
    for (const b of config.CacheBehaviors) {
      // CachingDisabled and AllViewerExceptHostHeader (AWS managed policy ids): the token goes through.
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      expect(b.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
      expect(b.ViewerProtocolPolicy).toBe('https-only');
    }
    // The webhooks stay on the API's own URL: nothing routes /webhooks/* through CloudFront.
    expect(JSON.stringify(config)).not.toContain('/webhooks');
    // Error pages would turn the API's 404s into the app: the SPA fallback is a viewer function instead.
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.Logging).toBeDefined();
  });

  it('rewrites app paths to index.html and leaves files alone (the viewer-request function)', () => {
    const fn = only('AWS::CloudFront::Function');
    expect(fn.props.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
    const code = String(fn.props.FunctionCode);
    const handler = new Function(`${code}; return handler;`)() as (e: { request: { uri: string } }) => {
      uri: string;
    };
    const uri = (path: string) => handler({ request: { uri: path } }).uri;
    expect(uri('/')).toBe('/index.html');
    expect(uri('/alerts')).toBe('/index.html');
    expect(uri('/children/child-xiaoming')).toBe('/index.html');
    expect(uri('/assets/index-abc123.js')).toBe('/assets/index-abc123.js');
    expect(uri('/config.json')).toBe('/config.json');
  });

  it('sends the security headers the local server sends, and HSTS, on every behaviour', () => {
    const policy = only('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = (
      policy.props.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, unknown> }
    ).SecurityHeadersConfig;
    expect(headers).toEqual({
      ContentSecurityPolicy: {
        ContentSecurityPolicy: WEB_SECURITY_HEADERS['content-security-policy'],
        Override: true,
      },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 31_536_000,
        IncludeSubdomains: true,
        Override: true,
      },
      FrameOptions: { FrameOption: WEB_SECURITY_HEADERS['x-frame-options'], Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: WEB_SECURITY_HEADERS['referrer-policy'], Override: true },
    });
    // No outside host in the CSP: every source is 'self', 'none' or data: images.
    const sources = String(WEB_SECURITY_HEADERS['content-security-policy'])
      .split(';')
      .flatMap((d) => d.trim().split(/\s+/).slice(1));
    expect(new Set(sources)).toEqual(new Set(["'self'", "'none'", 'data:']));
    const config = only('AWS::CloudFront::Distribution').props.DistributionConfig as {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
    };
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(b.ResponseHeadersPolicyId).toEqual({ Ref: policy.id });
    }
  });
});

describe('sign-in', () => {
  it('has a public app client for the authorization code flow (PKCE), back to the console only', () => {
    const client = only('AWS::Cognito::UserPoolClient').props;
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining(['openid']),
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      WriteAttributes: [],
    });
    expect(client.AllowedOAuthFlows).not.toContain('implicit');
    const domain = { 'Fn::GetAtt': [only('AWS::CloudFront::Distribution').id, 'DomainName'] };
    expect(client.CallbackURLs).toEqual([{ 'Fn::Join': ['', ['https://', domain, CALLBACK_PATH]] }]);
    expect(client.LogoutURLs).toEqual([{ 'Fn::Join': ['', ['https://', domain, SIGNED_OUT_PATH]] }]);
    expect(client.ReadAttributes).toEqual(expect.arrayContaining(['custom:centres', 'email', 'name']));
  });

  it('uses managed login on a Cognito domain, styled for that client', () => {
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    t.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      ClientId: { Ref: only('AWS::Cognito::UserPoolClient').id },
      UseCognitoProvidedValues: true,
    });
  });

  it('keeps centre admins a group of the pool, which only an operator fills', () => {
    prod.templates.stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'centre-admin',
    });
  });

  it('lets the API invite into that pool only: the Cognito actions on its ARN, its id in the environment', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const cognito = policies.filter((st) => [st.Action].flat().some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toHaveLength(1);
    expect(JSON.stringify(cognito[0]?.Resource)).toContain('Coordinators');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'coordinator-api',
          COORDINATORS_USER_POOL_ID: Match.anyValue(),
        }),
      },
    });
  });
});

describe('the console files', () => {
  const deployment = (template: Template) => {
    const found = Object.values(template.toJSON().Resources as Resources).filter(
      (r) => r.Type === 'Custom::CDKBucketDeployment',
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties as {
      SourceObjectKeys: unknown[];
      DestinationBucketName: unknown;
      SourceMarkers?: unknown[];
    };
  };

  it('deploys the build and config.json, or only config.json (with a warning) when nothing is built', () => {
    const built = join(scratch, 'dist');
    mkdirSync(built, { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html>');
    // A fresh app: stacks cannot be added to one already synthesized.
    const app = new App({ context: { ...PROD_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const { stage, stateless } = createLianxin(app);
    const withBuild = new WebContentStack(app, 'with-build', { stage, stateless, webDist: built });
    const without = new WebContentStack(app, 'without-build', {
      stage,
      stateless,
      webDist: join(scratch, 'missing'),
    });
    expect(deployment(Template.fromStack(withBuild)).SourceObjectKeys).toHaveLength(2);
    expect(deployment(Template.fromStack(without)).SourceObjectKeys).toHaveLength(1);
    const warnings = without.node.metadata.filter((m) => m.type === 'aws:cdk:warning');
    expect(JSON.stringify(warnings)).toContain('npm run build:web');
  });

  it('writes the runtime config with the managed login domain and the app client', () => {
    const markers = JSON.stringify(deployment(Template.fromStack(prod.web)).SourceMarkers);
    // The domain prefix (stage prefix and account), the region, and the app client's id.
    expect(markers).toContain('AWS::AccountId');
    expect(markers).toContain('AWS::Region');
    expect(markers).toContain('ConsoleSignInWebClient');
  });
});
