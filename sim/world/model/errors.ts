// The error a request refused by model validation produces, as each service words it and as the SDK surfaces it.
import { type ServiceName, serviceError } from '../errors.ts';
import { serviceModel } from './table.ts';
import type { ModelViolation } from './validate.ts';

/**
 * How each service answers input that breaks its model (HTTP 400).
 * - JSON-protocol services run AWS's request validation and answer `ValidationException` with
 *   "N validation error(s) detected: Value '...' at 'member.path' failed to satisfy constraint: ...", joined by
 *   "; ", 1-based `.N.member` list paths, and "Value at" (no value) for sensitive members. Seen for WAFV2
 *   (https://github.com/pulumi/pulumi-aws/issues/2357: `ValidationException: 8 validation errors detected:
 *   Value null at 'rules.4.member.statement...' ... Member must not be null`, so not WAFInvalidParameterException,
 *   which WAFV2 keeps for its own semantic checks), DynamoDB (https://github.com/aws/aws-cli/issues/790),
 *   KMS, SSM and Step Functions (the same validation layer; SFN and SSM model the exception).
 *   A member of the wrong JSON type fails before validation with `SerializationException`
 *   (https://github.com/floci-io/floci/pull/2686 records the parser's words).
 * - SNS speaks the query protocol; query services answer the same validation text with the code
 *   `ValidationError` (IAM/STS: https://github.com/NixOS/nixops/issues/328, https://github.com/tenesys/awsconsole/issues/2).
 *   SNS's own checks answer `InvalidParameter` (SDK class InvalidParameterException), see quotas.ts.
 * - CloudFront (rest-xml) answers `InvalidArgument`; for a missing member "The parameter MinTTL is required."
 *   (https://github.com/aws-controllers-k8s/community/issues/2335, https://github.com/boto/boto3/issues/1558).
 *   It reports one problem per response.
 * - S3 (rest-xml): a body that breaks the schema is `MalformedXML`, an empty required payload is
 *   `MissingRequestBodyError`, a bad header or query value `InvalidArgument`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, "List of error codes").
 */
const STATUS = 400;

/** Java-style rendering of a value, as AWS's validation messages print it. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array)
    return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${renderValue(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** One clause of AWS's validation message. */
export function validationClause(v: ModelViolation): string {
  const target = v.collection;
  const at = target ? target.awsPath : v.awsPath;
  const shown = target ? target.value : v.value;
  const value = v.sensitive ? 'Value' : shown === undefined ? 'Value null' : `Value '${renderValue(shown)}'`;
  const constraint = target
    ? `${target.kind} must satisfy constraint: [${target.constraints.join(', ')}]`
    : v.message;
  return `${value} at '${at}' failed to satisfy constraint: ${constraint}`;
}

/** "N validation error(s) detected: ...; ..." */
export function validationMessage(violations: readonly ModelViolation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map(validationClause).join('; ')}`;
}

/** The member name a violation is about (last named segment of its path). */
function memberName(v: ModelViolation): string {
  const match = /([A-Za-z0-9_]+)(?:\[[^\]]*\])*$/.exec(v.path);
  return match?.[1] ?? v.path;
}

/**
 * The error the SDK raises itself, before any request, for a missing URI label (@smithy/core's HTTP binding
 * serializer throws a plain Error, so `name` stays 'Error' as callers see it).
 */
export class MissingHttpLabelError extends Error {
  override readonly name = 'Error';
}

/**
 * The error a call refused by model validation throws: the service's own error (via serviceError, so the SDK's
 * exception classes) with its wording, or the SDK's local error for a missing URI label, which never reaches AWS.
 * `violations` must be non-empty (modelViolations' result).
 */
export function modelValidationError(
  service: ServiceName,
  operation: string,
  violations: readonly ModelViolation[],
  requestId?: string,
): Error {
  const first = violations[0];
  if (!first) throw new RangeError(`modelValidationError: no violations for ${service}:${operation}`);
  // the SDK refuses before sending: "No value provided for input HTTP label: Id."
  const label = violations.find(
    (v) => v.constraint === 'required' && v.location === 'uri' && !v.path.includes('.'),
  );
  if (label) return new MissingHttpLabelError(`No value provided for input HTTP label: ${label.path}.`);

  const protocol = serviceModel(service).protocol;
  const typeError = violations.find((v) => v.constraint === 'type');
  const fail = (name: string, message: string) =>
    serviceError({ service, name, message, status: STATUS, requestId });

  if (typeError && protocol === 'json') return fail('SerializationException', typeError.message);
  switch (service) {
    case 'cloudfront': {
      const v = typeError ?? first;
      return fail(
        'InvalidArgument',
        v.constraint === 'required' ? `The parameter ${memberName(v)} is required.` : validationMessage([v]),
      );
    }
    case 's3':
    case 's3control': {
      const v = typeError ?? first;
      if (v.constraint === 'required' && v.location === 'payload')
        return fail('MissingRequestBodyError', 'Request body is empty.');
      if (v.location === 'body' || v.location === 'payload') {
        return fail(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      }
      return fail('InvalidArgument', validationMessage([v]));
    }
    case 'sns':
      return fail('ValidationError', validationMessage(typeError ? [typeError] : violations));
    default:
      return fail('ValidationException', validationMessage(violations));
  }
}
