import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DUE_INDEX,
  DUE_INDEX_KEY_SCHEMA,
  REFS_INDEX,
  REFS_INDEX_KEY_SCHEMA,
  TABLE_ATTRIBUTE_DEFINITIONS,
  TABLE_DESIGN,
  TABLE_KEY_SCHEMA,
} from '#lib/store/table-definition.ts';
import { PROD_CONTEXT, type Synthesized, synthesize } from './synth.ts';

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthesize();
  prod = synthesize(PROD_CONTEXT);
});

describe('stateful stack', () => {
  it("holds exactly the key, its alias, the table, the exports bucket, the Twilio, WeChat, Alibaba Cloud and Tencent Cloud secrets and the coordinators' user pool", () => {
    const t = prod.templates.stateful;
    const types = Object.values(t.toJSON().Resources as Record<string, { Type: string }>)
      .map((r) => r.Type)
      .filter((type) => type !== 'AWS::CDK::Metadata')
      .sort();
    expect(types).toEqual([
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolGroup',
      'AWS::DynamoDB::Table',
      'AWS::KMS::Alias',
      'AWS::KMS::Key',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::Secret',
    ]);
  });

  it("keeps the coordinators' accounts admin-made, MFA-protected, and their centres out of their own reach", () => {
    const t = prod.templates.stateful;
    t.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        DeletionProtection: 'ACTIVE',
        Schema: [Match.objectLike({ Name: 'centres', AttributeDataType: 'String', Mutable: true })],
      }),
    });
    // The client may read custom:centres but write no attribute at all (else a user could widen it).
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      WriteAttributes: [],
      ReadAttributes: Match.arrayWith(['custom:centres']),
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
    });
  });

  it('builds the table from lib/store/table-definition.ts: keys, TTL, on-demand, PITR, the customer key', () => {
    prod.templates.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: TABLE_KEY_SCHEMA,
      AttributeDefinitions: TABLE_ATTRIBUTE_DEFINITIONS,
      BillingMode: TABLE_DESIGN.billingMode,
      TimeToLiveSpecification: { AttributeName: TABLE_DESIGN.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(prod, 'AWS::KMS::Key'), 'Arn'] },
      },
      // The scheduler tick's due index, write-sharded, and the erasure's reference index
      // (lib/store/table-definition.ts), and nothing else.
      GlobalSecondaryIndexes: [
        {
          IndexName: DUE_INDEX.name,
          KeySchema: DUE_INDEX_KEY_SCHEMA,
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: REFS_INDEX.name,
          KeySchema: REFS_INDEX_KEY_SCHEMA,
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['contactId'] },
        },
      ],
    });
  });

  it('keeps exports private, encrypted, TLS only, and for a day', () => {
    const t = prod.templates.stateful;
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 1, Status: 'Enabled' })]),
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('uses a customer-managed key with yearly rotation, a 30-day deletion window and an alias', () => {
    prod.templates.stateful.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
    });
    prod.templates.stateful.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/lianxin-prod-data',
    });
  });

  it('creates the WeChat secret with a generated Token and the rest for the operator to fill in', () => {
    prod.templates.stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ appId: '', appSecret: '', encodingAesKey: '' }),
        GenerateStringKey: 'token',
        ExcludePunctuation: true,
        PasswordLength: 32,
      },
      SecretString: Match.absent(),
    });
  });

  it('creates the Alibaba Cloud SMS secret with a generated callback path secret and the AccessKey to fill in', () => {
    prod.templates.stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({
          accessKeyId: '',
          accessKeySecret: '',
          previousCallbackSecret: '',
        }),
        GenerateStringKey: 'callbackSecret',
        ExcludePunctuation: true,
        PasswordLength: 40,
      },
      SecretString: Match.absent(),
    });
  });

  it('creates the Twilio secret as {"accountSid","authToken"}, never with a real token in the template', () => {
    prod.templates.stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ accountSid: PROD_CONTEXT.twilioAccountSid }),
        GenerateStringKey: 'authToken',
      },
      SecretString: Match.absent(),
    });
  });

  it('in prod retains everything, protects the table from deletion and the stack from termination', () => {
    const t = prod.templates.stateful;
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      t.hasResource(type, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    t.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    expect(prod.stateful.terminationProtection).toBe(true);
  });

  it('in dev may be destroyed', () => {
    const t = dev.templates.stateful;
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      t.hasResource(type, { DeletionPolicy: 'Delete' });
    }
    t.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    expect(dev.stateful.terminationProtection).toBe(false);
  });

  it('outputs the table name, the key ARN and the secret ARN for the deploy guide', () => {
    const outputs = prod.templates.stateful.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'TableName',
        'DataKeyArn',
        'TwilioSecretArn',
        'WechatSecretArn',
        'AliyunSmsSecretArn',
        'TencentSmsSecretArn',
      ]),
    );
  });
});

function logicalId(s: Synthesized, type: string): string {
  const ids = Object.keys(s.templates.stateful.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}
