import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CENTRE_ADMIN_GROUP } from '#lib/config/api.ts';
import { DUE_INDEX, REFS_INDEX, TABLE_DESIGN } from '#lib/store/table-definition.ts';
import type { StageConfig } from './stage.ts';

/**
 * The exports bucket's name, from the stage, account and region: the stateless stack names it the same
 * way (no cross-stack reference, so its grant names the bucket plainly).
 */
export function exportsBucketName(stage: Pick<StageConfig, 'prefix'>): string {
  return `${stage.prefix}-exports-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface StatefulStackProps extends StackProps {
  readonly stage: StageConfig;
}

/**
 * What must outlive any deployment: the table, the key that encrypts the data, the secrets. Changes
 * rarely; in prod every resource is retained, the table has deletion protection and the stack has
 * termination protection.
 */
export class StatefulStack extends Stack {
  readonly key: Key;
  readonly table: Table;
  /** Exports too large for an API response (lib/store/exports/s3-export-files.ts), kept one day. */
  readonly exportsBucket: Bucket;
  /** JSON {"accountSid","authToken"}; deployed with a random authToken to be replaced by the real one. */
  readonly twilioSecret: Secret;
  readonly aliyunSmsSecret: Secret;
  readonly tencentSmsSecret: Secret;
  /**
   * JSON {"appId","appSecret","token","encodingAesKey"}; deployed with a random `token` (paste it into the
   * WeChat console) and the others empty: WeChat stays off until the operator fills them in.
   */
  readonly wechatSecret: Secret;
  /**
   * The coordinators' accounts (Cognito): an administrator creates each one (no self sign-up) and sets
   * `custom:centres`, the comma-separated centres the coordinator may see; the coordinators' API trusts
   * the ID token's claims. Users are state, so the pool lives here.
   */
  readonly coordinators: UserPool;
  /** The web console's app client (SRP sign-in, no secret); the API's JWT audience. */
  readonly coordinatorsClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    const { stage } = props;
    super(scope, id, {
      description: `lianxin ${stage.name}: data (DynamoDB table, KMS key, secrets)`,
      terminationProtection: stage.protectData,
      ...props,
    });

    this.key = new Key(this, 'DataKey', {
      description: `lianxin ${stage.name}: encrypts the table and the send queue (personal data)`,
      alias: `alias/${stage.prefix}-data`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: stage.removalPolicy,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: {
        name: TABLE_DESIGN.partitionKey.name,
        type: attributeType(TABLE_DESIGN.partitionKey.type),
      },
      sortKey: { name: TABLE_DESIGN.sortKey.name, type: attributeType(TABLE_DESIGN.sortKey.type) },
      timeToLiveAttribute: TABLE_DESIGN.timeToLiveAttribute,
      billingMode: billingMode(TABLE_DESIGN.billingMode),
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: stage.protectData,
      removalPolicy: stage.removalPolicy,
    });
    // The due index the scheduler tick reads (sparse, write-sharded): see DUE_INDEX.
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX.name,
      partitionKey: { name: DUE_INDEX.partitionKey.name, type: attributeType(DUE_INDEX.partitionKey.type) },
      sortKey: { name: DUE_INDEX.sortKey.name, type: attributeType(DUE_INDEX.sortKey.type) },
      projectionType: ProjectionType.ALL,
    });
    // What names a contact or child outside their partitions, for erasure by Query: see REFS_INDEX.
    this.table.addGlobalSecondaryIndex({
      indexName: REFS_INDEX.name,
      partitionKey: { name: REFS_INDEX.partitionKey.name, type: attributeType(REFS_INDEX.partitionKey.type) },
      sortKey: { name: REFS_INDEX.sortKey.name, type: attributeType(REFS_INDEX.sortKey.type) },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...REFS_INDEX.nonKeyAttributes],
    });

    // Exports are copies of data the table holds: private, encrypted, TLS only, gone after a day (the
    // link to one expires within the hour).
    this.exportsBucket = new Bucket(this, 'ExportsBucket', {
      bucketName: exportsBucketName(stage),
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        { expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: stage.removalPolicy,
      autoDeleteObjects: false,
    });
    Validations.of(this.exportsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Export files live one day and are read only through short-lived presigned links the API hands out (logged by the API); CloudTrail data events can be enabled where an access log is required.',
    });

    this.twilioSecret = new Secret(this, 'TwilioSecret', {
      description: `lianxin ${stage.name}: Twilio credentials as JSON {"accountSid","authToken"}; set the real authToken after the first deploy`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accountSid: stage.twilio.accountSid }),
        generateStringKey: 'authToken',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: stage.removalPolicy,
    });
    Validations.of(this.twilioSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Twilio issues the auth token; Secrets Manager cannot rotate it. Rotation is manual (Twilio console: secondary token, promote, then put-secret-value), as docs/deploying.md describes.',
    });

    this.wechatSecret = new Secret(this, 'WechatSecret', {
      description: `lianxin ${stage.name}: WeChat Official Account as JSON {"appId","appSecret","token","encodingAesKey"}; set appId, appSecret and encodingAesKey after the first deploy`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ appId: '', appSecret: '', encodingAesKey: '' }),
        // WeChat's server Token: 3-32 letters and digits, chosen by us and entered in the WeChat console.
        generateStringKey: 'token',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: stage.removalPolicy,
    });
    Validations.of(this.wechatSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'WeChat issues the AppSecret and the console holds the Token and EncodingAESKey; Secrets Manager cannot rotate them in WeChat. Rotation is manual (WeChat console, then put-secret-value), as docs/deploying.md describes.',
    });

    // Alibaba Cloud SMS: the AccessKey (SendSms only) and the callbacks' path secret, generated here:
    // it is ours, set in the provider's console as part of the push URLs.
    this.aliyunSmsSecret = new Secret(this, 'AliyunSmsSecret', {
      description: `lianxin ${stage.name}: Alibaba Cloud SMS as JSON {"accessKeyId","accessKeySecret","callbackSecret","previousCallbackSecret"}; set the AccessKey after the first deploy`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          accessKeyId: '',
          accessKeySecret: '',
          previousCallbackSecret: '',
        }),
        generateStringKey: 'callbackSecret',
        excludePunctuation: true,
        passwordLength: 40,
      },
      removalPolicy: stage.removalPolicy,
    });
    Validations.of(this.aliyunSmsSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Alibaba Cloud issues the AccessKey and its console holds the push URLs with the callback secret; Secrets Manager cannot rotate them there. Rotation is manual: move callbackSecret to previousCallbackSecret, set a new one, update the console URLs, then clear the previous one (docs/mainland-sms.md).',
    });

    // Tencent Cloud SMS: a sub-user's API key (SendSms only) and the callbacks' path secret, ours.
    this.tencentSmsSecret = new Secret(this, 'TencentSmsSecret', {
      description: `lianxin ${stage.name}: Tencent Cloud SMS as JSON {"secretId","secretKey","callbackSecret","previousCallbackSecret"}; set the API key after the first deploy`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ secretId: '', secretKey: '', previousCallbackSecret: '' }),
        generateStringKey: 'callbackSecret',
        excludePunctuation: true,
        passwordLength: 40,
      },
      removalPolicy: stage.removalPolicy,
    });
    Validations.of(this.tencentSmsSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Tencent Cloud issues the API key and its console holds the callback URLs with the callback secret; Secrets Manager cannot rotate them there. Rotation is manual: move callbackSecret to previousCallbackSecret, set a new one, update the console URLs, then clear the previous one (docs/mainland-sms.md).',
    });

    this.coordinators = new UserPool(this, 'Coordinators', {
      userPoolName: `${stage.prefix}-coordinators`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      customAttributes: { centres: new StringAttribute({ minLen: 1, maxLen: 2048, mutable: true }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: stage.protectData,
      removalPolicy: stage.removalPolicy,
    });
    this.coordinatorsClient = this.coordinators.addClient('ConsoleClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // A coordinator must never widen their own centres: no attribute is writable by the user.
      writeAttributes: new ClientAttributes(),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('centres'),
    });

    // Centre admins invite coordinators and give them their own centres (the console's 协调员 page);
    // an operator adds the first admins: aws cognito-idp admin-add-user-to-group --group-name centre-admin.
    new CfnUserPoolGroup(this, 'CentreAdmins', {
      userPoolId: this.coordinators.userPoolId,
      groupName: CENTRE_ADMIN_GROUP,
      description: 'May invite coordinators and assign them centres the admin holds',
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'CoordinatorsUserPoolId', {
      value: this.coordinators.userPoolId,
      description:
        'aws cognito-idp admin-create-user --user-pool-id <this> --username … --user-attributes Name=custom:centres,Value=centre-a,centre-b',
    });
    new CfnOutput(this, 'CoordinatorsClientId', { value: this.coordinatorsClient.userPoolClientId });
    new CfnOutput(this, 'DataKeyArn', { value: this.key.keyArn });
    new CfnOutput(this, 'TwilioSecretArn', {
      value: this.twilioSecret.secretArn,
      description:
        'aws secretsmanager put-secret-value --secret-id <this> --secret-string {"accountSid":…,"authToken":…}',
    });
    new CfnOutput(this, 'AliyunSmsSecretArn', {
      value: this.aliyunSmsSecret.secretArn,
      description:
        'aws secretsmanager get-secret-value --secret-id <this> (the callbackSecret for the push URLs); put-secret-value with the AccessKey',
    });
    new CfnOutput(this, 'TencentSmsSecretArn', {
      value: this.tencentSmsSecret.secretArn,
      description:
        'aws secretsmanager get-secret-value --secret-id <this> (the callbackSecret for the callback URLs); put-secret-value with the API key',
    });
    new CfnOutput(this, 'WechatSecretArn', {
      value: this.wechatSecret.secretArn,
      description:
        'aws secretsmanager put-secret-value --secret-id <this> --secret-string {"appId":…,"appSecret":…,"token":…,"encodingAesKey":…}',
    });
  }
}

function attributeType(type: 'S' | 'N' | 'B'): AttributeType {
  const found = Object.values(AttributeType).find((t) => t === type);
  if (!found) throw new Error(`unknown DynamoDB attribute type ${type}`);
  return found;
}

function billingMode(mode: string): BillingMode {
  const found = Object.values(BillingMode).find((m) => m === mode);
  if (!found) throw new Error(`unknown DynamoDB billing mode ${mode}`);
  return found;
}
