import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  Function as ViewerFunction,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageConfig } from '#infra/stage.ts';
import { WEB_SECURITY_HEADERS } from '#lib/local/web-static.ts';

export interface WebHostingProps {
  readonly stage: StageConfig;
  /** The HTTP API's endpoint (https://id.execute-api.region.amazonaws.com): served under `/api/*`. */
  readonly apiEndpoint: string;
  /** Cognito's domain (prefix.auth.region.amazoncognito.com): its token endpoint under `/oauth2/*`. */
  readonly authDomain: string;
}

/** Viewer-request: an app path (no file extension) is the single-page app; files and 404s stay. */
const SPA_REWRITE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * The coordinators' console in AWS: the built app in a private bucket, read by CloudFront through
 * Origin Access Control only, and on the same domain the coordinators' API (`/api/*`) and Cognito's
 * token endpoint (`/oauth2/*`), so the page talks to nothing but its own origin (CSP connect-src
 * 'self'). The webhooks are not behind it: Twilio, WeChat and Alibaba Cloud call the API directly.
 * The security headers are the ones the local server sends (lib/local/web-static.ts), plus HSTS.
 */
export class WebHosting extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** https://dxxxx.cloudfront.net */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const { stage } = props;
    // The app holds no personal data (it is the same for everyone): dev may be destroyed, prod kept.
    const removalPolicy = stage.name === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(stage.name === 'prod' ? 365 : 30) }],
      removalPolicy,
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the access logs of the web bucket and of the CloudFront distribution; logging its own accesses would log the logging.',
    });

    this.bucket = new Bucket(this, 'App', {
      bucketName: consoleBucketName(this, stage),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'web-bucket/',
      removalPolicy,
    });

    const csp = WEB_SECURITY_HEADERS['content-security-policy'];
    if (!csp) throw new Error('WEB_SECURITY_HEADERS has no content-security-policy');
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `${stage.prefix}-console-security`,
      comment: 'lianxin console: CSP without any outside host, HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: frameOption(WEB_SECURITY_HEADERS['x-frame-options']), override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: {
          referrerPolicy: referrerPolicy(WEB_SECURITY_HEADERS['referrer-policy']),
          override: true,
        },
      },
    });

    const apiOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', props.apiEndpoint)));
    const passThrough = {
      allowedMethods: AllowedMethods.ALLOW_ALL,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      // Nothing of the API or of sign-in is cached; the Authorization header reaches the origin.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headers,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `lianxin ${stage.name}: coordinators' console`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Mainland China is served from the Asia edges (the cheapest class that includes them).
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new ViewerFunction(this, 'SpaRewrite', {
              comment: 'app paths are the single-page app (index.html)',
              runtime: FunctionRuntime.JS_2_0,
              code: FunctionCode.fromInline(SPA_REWRITE),
            }),
          },
        ],
      },
      additionalBehaviors: {
        '/api/*': { origin: apiOrigin, ...passThrough },
        '/oauth2/*': { origin: new HttpOrigin(props.authDomain), ...passThrough },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        "The console's users are coordinators in rural China who travel and use mobile networks; a country allow-list would lock out a coordinator abroad and adds nothing to Cognito sign-in.",
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'A static app and an API behind Cognito JWTs with API Gateway throttling; AWS WAF costs more per month than the whole service for a few dozen coordinators. Revisit if abuse shows in the logs.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The default *.cloudfront.net certificate is used until a custom domain is configured; CloudFront then negotiates TLS 1.2+ with modern browsers, and the minimum protocol can only be raised with a custom certificate.',
    });
  }
}

/** Named, so the stack that deploys the files finds it without a cross-stack reference. */
export function consoleBucketName(scope: Construct, stage: StageConfig): string {
  const { account, region } = Stack.of(scope);
  return `${stage.prefix}-console-${account}-${region}`;
}

function frameOption(value: string | undefined): HeadersFrameOption {
  if (value === 'DENY') return HeadersFrameOption.DENY;
  if (value === 'SAMEORIGIN') return HeadersFrameOption.SAMEORIGIN;
  throw new Error(`x-frame-options ${value} has no CloudFront equivalent`);
}

function referrerPolicy(value: string | undefined): HeadersReferrerPolicy {
  const found = Object.values(HeadersReferrerPolicy).find((p) => p === value);
  if (!found) throw new Error(`referrer-policy ${value} has no CloudFront equivalent`);
  return found;
}
