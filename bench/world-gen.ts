// A generated account of many distributions for `cf403 scan` (tests and the bench): mostly healthy
// sites (OAC + bucket grant), with a fixed share of latent 403 causes at predictable positions.
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { Scenario, ScenarioBucket, ScenarioDistribution } from '../sim/scenario/types.ts';

export const GENERATED_ACCOUNT = '111122223333';
const OAC_ID = 'E3GENERATEDOAC';

export type Profile =
  | 'healthy'
  | 'origin-access-missing'
  | 'disabled'
  | 'default-root-object-missing'
  | 'source-arn-mismatch';

/** The latent cause each profile must be reported with (none for a healthy site). */
export const PROFILE_CAUSE: Record<Profile, string | undefined> = {
  healthy: undefined,
  'origin-access-missing': 'ORIGIN_ACCESS_MISSING',
  disabled: 'DISTRIBUTION_DISABLED',
  'default-root-object-missing': 'DEFAULT_ROOT_OBJECT_MISSING',
  'source-arn-mismatch': 'SOURCE_ARN_MISMATCH',
};

/** Which sites are broken, and how: about one in five. */
export function profileOf(i: number): Profile {
  if (i % 25 === 7) return 'disabled';
  if (i % 10 === 3) return 'origin-access-missing';
  if (i % 20 === 11) return 'default-root-object-missing';
  if (i % 50 === 17) return 'source-arn-mismatch';
  return 'healthy';
}

export function distributionId(i: number): string {
  return `EGEN${i.toString(36).toUpperCase().padStart(9, '0')}`;
}

function arnOf(id: string): string {
  return `arn:aws:cloudfront::${GENERATED_ACCOUNT}:distribution/${id}`;
}

function bucketName(i: number): string {
  return `site-${i.toString().padStart(4, '0')}`;
}

function distributionConfig(i: number, profile: Profile): DistributionConfig {
  const bucket = bucketName(i);
  return {
    CallerReference: `generated-${i}`,
    Aliases: { Quantity: 0 },
    DefaultRootObject: profile === 'default-root-object-missing' ? '' : 'index.html',
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 's3-origin',
          DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
          OriginPath: '',
          CustomHeaders: { Quantity: 0 },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: profile === 'origin-access-missing' ? '' : OAC_ID,
          S3OriginConfig: { OriginAccessIdentity: '' },
        },
      ],
    },
    OriginGroups: { Quantity: 0 },
    DefaultCacheBehavior: {
      TargetOriginId: 's3-origin',
      TrustedSigners: { Enabled: false, Quantity: 0 },
      TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: {
        Quantity: 2,
        Items: ['GET', 'HEAD'],
        CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
      },
      SmoothStreaming: false,
      Compress: true,
      LambdaFunctionAssociations: { Quantity: 0 },
      FunctionAssociations: { Quantity: 0 },
      FieldLevelEncryptionId: '',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    CacheBehaviors: { Quantity: 0 },
    CustomErrorResponses: { Quantity: 0 },
    Comment: `generated site ${i}`,
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: 'PriceClass_100',
    Enabled: profile !== 'disabled',
    ViewerCertificate: {
      CloudFrontDefaultCertificate: true,
      MinimumProtocolVersion: 'TLSv1',
      CertificateSource: 'cloudfront',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
  };
}

function bucketPolicy(bucket: string, sourceArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowCloudFrontServicePrincipal',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
      },
    ],
  });
}

function bucket(i: number, profile: Profile): ScenarioBucket {
  const name = bucketName(i);
  // A grant naming another distribution: the site was moved and the policy was not.
  const sourceArn = arnOf(distributionId(profile === 'source-arn-mismatch' ? i + 100_000 : i));
  return {
    Name: name,
    Region: 'us-east-1',
    Policy: profile === 'origin-access-missing' ? null : bucketPolicy(name, sourceArn),
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    Payer: 'BucketOwner',
    ServerSideEncryptionConfiguration: null,
    WebsiteConfiguration: null,
    Objects: [{ Key: 'index.html', ContentType: 'text/html', Body: `<h1>site ${i}</h1>` }],
  };
}

export interface GenerateOptions {
  distributions: number;
  apiLatencyMs?: number;
  /** CloudFront requests per second before `Throttling` */
  cloudfrontRateLimit?: number;
}

/** An account of `distributions` sites, each behind its own distribution and bucket. */
export function generateAccount(opts: GenerateOptions): Scenario {
  const distributions: ScenarioDistribution[] = [];
  const buckets: ScenarioBucket[] = [];
  for (let i = 0; i < opts.distributions; i++) {
    const profile = profileOf(i);
    const id = distributionId(i);
    distributions.push({
      Id: id,
      ARN: arnOf(id),
      DomainName: `d${(0x10000000 + i).toString(16)}gen.cloudfront.net`,
      Status: 'Deployed',
      ETag: `EGENETAG${i.toString().padStart(5, '0')}`,
      DistributionConfig: distributionConfig(i, profile),
    });
    buckets.push(bucket(i, profile));
  }
  return {
    name: `generated-${opts.distributions}`,
    description: `${opts.distributions} generated distributions, about one in five with a latent 403 cause`,
    account: GENERATED_ACCOUNT,
    region: 'us-east-1',
    cloudfront: {
      distributions,
      originAccessControls: [
        {
          Id: OAC_ID,
          OriginAccessControlConfig: {
            Name: 'generated-oac',
            Description: '',
            SigningProtocol: 'sigv4',
            SigningBehavior: 'always',
            OriginAccessControlOriginType: 's3',
          },
        },
      ],
    },
    s3: { accountPublicAccessBlock: null, buckets },
    requests: [
      { url: `https://${distributions[0]?.DomainName ?? 'example.cloudfront.net'}/`, method: 'GET' },
    ],
    simulation: {
      ...(opts.apiLatencyMs !== undefined ? { apiLatencyMs: opts.apiLatencyMs } : {}),
      ...(opts.cloudfrontRateLimit !== undefined
        ? { rateLimit: { cloudfront: opts.cloudfrontRateLimit } }
        : {}),
    },
  };
}
