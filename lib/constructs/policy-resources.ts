// The resources step grants name: their ARNs (wildcards where the target is known only at run time), the
// cdk-nag finding each wildcard produces, and what kind of resource it is for narrowing writes to the scope.
import { Aws } from 'aws-cdk-lib';

/** A resource ARN for a policy, and for wildcard ARNs the cdk-nag finding it produces and why it is needed. */
export interface PolicyResource {
  readonly arn: string;
  readonly wildcard?: { readonly finding: string; readonly why: string };
  /**
   * What the resource is, for narrowing write grants to the scope: `distribution`, `bucket` and `key` become
   * the scope's ARNs (or the scope tag condition); `tagged` keeps the ARN under the scope tag condition.
   * Write grants on a resource without a kind keep it as is in every scope but `none`.
   */
  readonly kind?: 'distribution' | 'bucket' | 'key' | 'tagged' | 'fix-function';
}

export interface StepGrant {
  readonly actions: readonly string[];
  readonly resources: readonly PolicyResource[];
  /** Restrict S3 access to buckets owned by this account. */
  readonly sameAccountBuckets?: boolean;
  /** Further conditions of the grant (e.g. `lambda:Principal` on AddPermission). */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

// ARNs built from pseudo parameters so cdk-nag prints them the same way whatever the stack's env.
export const NAG_PARTITION = '<AWS::Partition>';
export const NAG_ACCOUNT = '<AWS::AccountId>';

function cloudFront(resourceType: string, what: string): PolicyResource {
  const tail = `${resourceType}/*`;
  return {
    arn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:${tail}`,
    wildcard: {
      finding: `Resource::arn:${NAG_PARTITION}:cloudfront::${NAG_ACCOUNT}:${tail}`,
      why: `${what} is known only when the alarm fires, so access is scoped to this account's ${resourceType}/*`,
    },
  };
}

export const DISTRIBUTIONS: PolicyResource = {
  ...cloudFront('distribution', 'the failing distribution'),
  kind: 'distribution',
};
export const ORIGIN_ACCESS_CONTROLS = cloudFront('origin-access-control', 'the origin access control in use');
export const ORIGIN_ACCESS_IDENTITIES = cloudFront(
  'origin-access-identity',
  'the legacy origin access identity in use',
);
export const CLOUDFRONT_FUNCTIONS = cloudFront('function', 'the CloudFront Function on the failing behavior');
export const ORIGIN_REQUEST_POLICIES = cloudFront(
  'origin-request-policy',
  'the origin request policy in use',
);
/** CloudFront Functions cf403 creates (issue 11): their names start with `cf403-`. */
export const CF403_FUNCTIONS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:function/cf403-*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:cloudfront::${NAG_ACCOUNT}:function/cf403-*`,
    why: 'only the CloudFront Functions cf403 creates (named cf403-...), to publish them and to delete them on rollback',
  },
  // in a distributions scope: the function cf403 would create for each listed distribution
  kind: 'fix-function',
};
/** The Lambda function behind a function URL origin (issue 11), known only at run time. */
export const LAMBDA_FUNCTIONS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:lambda:*:${Aws.ACCOUNT_ID}:function:*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:lambda:*:${NAG_ACCOUNT}:function:*`,
    why: "the function behind a function URL origin is known only at run time; limited to this account's functions",
  },
  // in a distributions scope, changes go only to functions tagged for it (Lambda supports aws:ResourceTag)
  kind: 'tagged',
};
/** AddPermission may only let CloudFront invoke (SAR: lambda:Principal, "the AWS service ... that can invoke"). */
export const CLOUDFRONT_PRINCIPAL_ONLY = {
  StringEquals: { 'lambda:Principal': 'cloudfront.amazonaws.com' },
} as const;
export const ORIGIN_BUCKETS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:s3:::*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:s3:::*`,
    why: 'the S3 origin bucket is known only when the alarm fires; limited to buckets of this account by s3:ResourceAccount',
  },
  kind: 'bucket',
};
export const ORIGIN_OBJECTS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:s3:::*/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:s3:::*/*`,
    why: 'HeadObject on the failing path of an origin bucket known only at run time; limited to this account by s3:ResourceAccount',
  },
};
export const ORIGIN_KEYS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:kms:*:${NAG_ACCOUNT}:key/*`,
    why: "the SSE-KMS key of the origin bucket is known only at run time; limited to this account's keys",
  },
  kind: 'key',
};
export const WEB_ACLS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:wafv2:*:${Aws.ACCOUNT_ID}:global/webacl/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:wafv2:*:${NAG_ACCOUNT}:global/webacl/*`,
    why: "the distribution's web ACL is known only at run time; limited to CloudFront-scope (global) web ACLs",
  },
};
export const IP_SETS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:wafv2:*:${Aws.ACCOUNT_ID}:global/ipset/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:wafv2:*:${NAG_ACCOUNT}:global/ipset/*`,
    why: 'IP sets referenced by the web ACL are known only at run time; limited to CloudFront-scope (global) IP sets',
  },
};
/** For actions that support no resource-level permissions at all. */
export const ANY_RESOURCE: PolicyResource = {
  arn: '*',
  wildcard: { finding: 'Resource::*', why: 'these actions support no resource-level permissions' },
};

// Standard logging (v2) and CloudFront metrics live in us-east-1 (CloudFront's own region for logging and
// metrics); the names are known only at run time. ARN formats: Service Authorization Reference, CloudWatch Logs
// and CloudWatch resource types.
function usEast1(service: string, resource: string, what: string): PolicyResource {
  const tail = `${service}:us-east-1:${Aws.ACCOUNT_ID}:${resource}`;
  return {
    arn: `arn:${Aws.PARTITION}:${tail}`,
    wildcard: {
      finding: `Resource::arn:${NAG_PARTITION}:${service}:us-east-1:${NAG_ACCOUNT}:${resource}`,
      why: `${what} is known only at run time; limited to this account's ${resource} in us-east-1`,
    },
  };
}
export const DELIVERY_DESTINATIONS = usEast1(
  'logs',
  'delivery-destination:*',
  "the distribution's log delivery destination",
);
export const LOG_GROUPS = usEast1('logs', 'log-group:*', 'the log group standard logging (v2) delivers to');
export const ALARMS = usEast1('cloudwatch', 'alarm:*', 'the alarm that started the workflow');

export function noResourceLevel(actions: readonly string[]): StepGrant {
  return { actions, resources: [ANY_RESOURCE] };
}

// Systems Manager ARNs, and how cdk-nag prints them.
const NAG_REGION = '<AWS::Region>';
export function ssmArn(resource: string): string {
  return `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}
export function ssmNagArn(resource: string): string {
  return `Resource::arn:${NAG_PARTITION}:ssm:${NAG_REGION}:${NAG_ACCOUNT}:${resource}`;
}
export const AUTOMATION_EXECUTIONS = 'automation-execution/*';
