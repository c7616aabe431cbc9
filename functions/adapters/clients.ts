// The only place SDK clients are made. Handlers receive them injected, so the simulator can hand in
// clients wired to its in-memory account and the same code runs in Lambda.
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';

export interface AwsClients {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
  readonly s3control: S3ControlClient;
  readonly kms: KMSClient;
  readonly wafv2: WAFV2Client;
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
}

/** Real clients from the default credential chain. CloudFront and WAF for CloudFront live in us-east-1. */
export function createAwsClients(region: string): AwsClients {
  return {
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    s3: new S3Client({ region, followRegionRedirects: true }),
    s3control: new S3ControlClient({ region }),
    kms: new KMSClient({ region }),
    wafv2: new WAFV2Client({ region: 'us-east-1' }),
    sns: new SNSClient({ region }),
    sfn: new SFNClient({ region }),
    ssm: new SSMClient({ region }),
    dynamodb: new DynamoDBClient({ region }),
  };
}
