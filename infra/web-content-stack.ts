import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { RUNTIME_CONFIG_PATH } from '#lib/local/sign-in-route.ts';
import { WEB_DIST } from '#lib/local/web-static.ts';
import { consoleBucketName } from './constructs/web-hosting.ts';
import type { StageConfig } from './stage.ts';
import type { StatelessStack } from './stateless-stack.ts';

export interface WebContentStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly stateless: StatelessStack;
  /** The built console; default web/dist (`npm run build:web`). */
  readonly webDist?: string;
}

/**
 * The console's files in its bucket: the Vite build and `config.json`, the runtime configuration
 * (Cognito's domain and the app client) the app reads before it signs anyone in. Its own stack, so
 * the deployment's helper function stays out of the stack whose functions are lianxin's own. Without
 * a build (a fresh clone), synthesis still works: only config.json is deployed, with a warning.
 */
export class WebContentStack extends Stack {
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebContentStackProps) {
    const { stage, stateless } = props;
    super(scope, id, { description: `lianxin ${stage.name}: the coordinators' console files`, ...props });
    const dist = props.webDist ?? WEB_DIST;
    const built = existsSync(join(dist, 'index.html'));
    if (!built) {
      Annotations.of(this).addWarning(`${dist} has no build: run npm run build:web before deploying`);
    }
    const runtimeConfig = {
      auth: 'cognito',
      // Managed login (a page on Cognito's domain); the token request goes through the console's own
      // domain (/oauth2/token on CloudFront), so the page itself connects to nothing else.
      signInUrl: `https://${stateless.signIn.domainName}`,
      clientId: stateless.signIn.client.userPoolClientId,
      issuer: stateless.signIn.issuer,
    };
    const bucketName = consoleBucketName(this, stage);
    this.deployment = new BucketDeployment(this, 'Files', {
      destinationBucket: Bucket.fromBucketName(this, 'App', bucketName),
      sources: [
        ...(built ? [Source.asset(dist)] : []),
        Source.jsonData(RUNTIME_CONFIG_PATH.replace(/^\//, ''), runtimeConfig),
      ],
      // index.html and config.json change with each deploy; hashed assets never do.
      distribution: stateless.web.distribution,
      distributionPaths: ['/index.html', RUNTIME_CONFIG_PATH],
      prune: true,
      memoryLimit: 512,
    });
    // The helper is CDK's own singleton function (a custom resource, run only while deploying): what
    // it is granted is CDK's choice. It reads the assets bucket, syncs the console bucket, invalidates.
    const helper = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!helper) throw new Error('no BucketDeployment helper found');
    const wildcards = {
      'Action::s3:GetBucket*': 'reads the CDK assets bucket and the console bucket',
      'Action::s3:GetObject*': 'reads the uploaded build from the CDK assets bucket',
      'Action::s3:List*': 'lists the console bucket to sync and prune it',
      'Action::s3:Abort*': 'aborts its own multipart uploads to the console bucket',
      'Action::s3:DeleteObject*': 'prunes files of an earlier build from the console bucket',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*':
        'the objects of the CDK assets bucket, where the build is uploaded',
      [`Resource::arn:<AWS::Partition>:s3:::${stage.prefix}-console-<AWS::AccountId>-<AWS::Region>/*`]:
        "the objects of the console bucket, which holds nothing but the console's files",
      'Resource::*': 'cloudfront:CreateInvalidation and GetInvalidation, which take no resource ARN here',
    };
    Validations.of(helper).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "CDK's BucketDeployment helper pins its own Lambda runtime (CDK's Python custom resource); it runs only during deployments and holds no data.",
    });
    Validations.of(helper).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment helper writes its own logs with the AWS managed basic execution role; it runs only during deployments.",
    });
    for (const [finding, why] of Object.entries(wildcards)) {
      Validations.of(helper).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: `CDK's BucketDeployment helper (runs only during deployments, holds no data): ${why}.`,
      });
    }
  }
}
