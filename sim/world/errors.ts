// Errors as the SDK would throw them: the client package's own exception class when the service models the
// error, else the service's base exception with the wire name (how the SDK surfaces unmodeled errors).
import * as cloudfront from '@aws-sdk/client-cloudfront';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as kms from '@aws-sdk/client-kms';
import * as lambda from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
import * as s3control from '@aws-sdk/client-s3-control';
import * as sfn from '@aws-sdk/client-sfn';
import * as sns from '@aws-sdk/client-sns';
import * as ssm from '@aws-sdk/client-ssm';
import * as sts from '@aws-sdk/client-sts';
import * as wafv2 from '@aws-sdk/client-wafv2';
import type { FaultError } from '../scenario/types.ts';

export type ServiceName =
  | 'cloudfront'
  | 's3'
  | 's3control'
  | 'kms'
  | 'wafv2'
  | 'sns'
  | 'sfn'
  // issue 5: the workflow's table and approval automations
  | 'dynamodb'
  | 'ssm'
  // issue 10: viewer-side verification and standard logging (v2)
  | 'cloudwatch'
  | 'logs'
  // issue 11: function URL origins (resource policies)
  | 'lambda'
  // issue 15: the hub assumes each member account's role
  | 'sts';

interface ServiceModule {
  namespace: Record<string, unknown>;
  base: new (options: {
    name: string;
    $fault: 'client' | 'server';
    $metadata: ErrorMetadata;
    message: string;
  }) => Error;
}

interface ErrorMetadata {
  httpStatusCode: number;
  requestId?: string;
  attempts: number;
  totalRetryDelay: number;
}

type ModeledCtor = new (opts: { $metadata: ErrorMetadata; message: string; Message?: string }) => Error;

const MODULES: Record<ServiceName, ServiceModule> = {
  cloudfront: { namespace: cloudfront, base: cloudfront.CloudFrontServiceException },
  s3: { namespace: s3, base: s3.S3ServiceException },
  s3control: { namespace: s3control, base: s3control.S3ControlServiceException },
  kms: { namespace: kms, base: kms.KMSServiceException },
  wafv2: { namespace: wafv2, base: wafv2.WAFV2ServiceException },
  sns: { namespace: sns, base: sns.SNSServiceException },
  sfn: { namespace: sfn, base: sfn.SFNServiceException },
  dynamodb: { namespace: dynamodb, base: dynamodb.DynamoDBServiceException },
  ssm: { namespace: ssm, base: ssm.SSMServiceException },
  cloudwatch: { namespace: cloudwatch, base: cloudwatch.CloudWatchServiceException },
  logs: { namespace: logs, base: logs.CloudWatchLogsServiceException },
  lambda: { namespace: lambda, base: lambda.LambdaServiceException },
  sts: { namespace: sts, base: sts.STSServiceException },
};

function modeledClass(service: ServiceName, name: string): ModeledCtor | undefined {
  const { namespace, base } = MODULES[service];
  const candidate = namespace[name];
  if (typeof candidate !== 'function' || candidate === base) return undefined;
  // only exception classes of this service, never a command or the client that happens to share the name
  if (!(candidate.prototype instanceof base)) return undefined;
  return candidate as ModeledCtor;
}

export interface ServiceErrorOptions {
  service: ServiceName;
  name: string;
  message: string;
  status: number;
  requestId?: string;
}

/** Builds the error the SDK would throw for this service error. */
export function serviceError({ service, name, message, status, requestId }: ServiceErrorOptions): Error {
  const $metadata: ErrorMetadata = { httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 };
  const Modeled = modeledClass(service, name);
  const error = Modeled
    ? new Modeled({ $metadata, message, Message: message })
    : new MODULES[service].base({ name, $fault: status >= 500 ? 'server' : 'client', $metadata, message });
  // S3's XML errors also surface their <Code> as a property
  if (service === 's3') Object.assign(error, { Code: name });
  return error;
}

/** The error a scenario fault injects, named as each service names it. */
export function faultError(service: ServiceName, fault: FaultError, requestId?: string): Error {
  switch (fault) {
    case 'ThrottlingException':
      return serviceError({
        service,
        name: service === 'cloudfront' ? 'Throttling' : 'ThrottlingException',
        message: 'Rate exceeded',
        status: 400,
        requestId,
      });
    case 'AccessDenied': {
      const name =
        service === 'cloudfront' || service === 's3'
          ? 'AccessDenied'
          : service === 'sns'
            ? 'AuthorizationErrorException'
            : 'AccessDeniedException';
      return serviceError({ service, name, message: 'Access Denied', status: 403, requestId });
    }
    case 'PreconditionFailed':
      return serviceError({
        service,
        name: 'PreconditionFailed',
        message: 'The precondition given in one or more of the request-header fields evaluated to false.',
        status: 412,
        requestId,
      });
    case 'ServiceUnavailable':
      return serviceError({
        service,
        name: 'ServiceUnavailable',
        message: 'The service is temporarily unavailable. Please try again later.',
        status: 503,
        requestId,
      });
  }
}
