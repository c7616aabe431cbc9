// Where the remediation keeps its state: the artifact bucket (evidence, plans, snapshots) with its access-log
// bucket, the lock/approval/audit table, and the notification topic. Resources are added to the given scope
// (the remediation construct itself), so their logical ids stay those of a flat construct.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** Per-distribution lock (with expiry), approval task tokens, and the audit record of every execution. */
export function createTable(scope: Construct): Table {
  return new Table(scope, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    // Locks and approval tokens expire on their own; audit records carry no ttl and stay.
    timeToLiveAttribute: 'ttl',
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    // The audit trail outlives the stack.
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The approvals-and-outcomes topic, encrypted with its own customer-managed key and TLS only. */
export function createTopic(scope: Construct): ITopic {
  const key = new Key(scope, 'TopicKey', {
    description: 'Encrypts the cf403 remediation notification topic',
    enableKeyRotation: true,
  });
  return new Topic(scope, 'Topic', {
    displayName: 'CloudFront 403 remediation',
    masterKey: key,
    enforceSSL: true,
  });
}

/** The versioned artifact bucket, logging to an access-log bucket; both expire objects after `retention`. */
export function createArtifactBucket(scope: Construct, retention: Duration): Bucket {
  const common = {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
  };
  const accessLogs = new Bucket(scope, 'AccessLogsBucket', {
    ...common,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: retention }],
  });
  return new Bucket(scope, 'ArtifactBucket', {
    ...common,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'artifact-bucket/',
    lifecycleRules: [
      {
        id: 'expire-artifacts',
        expiration: retention,
        noncurrentVersionExpiration: retention,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
}
