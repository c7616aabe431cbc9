// Custom origins that are AWS endpoints and refuse before any of the owner's code runs: API Gateway and
// Lambda function URLs route by the Host header (a viewer's host reaches no API or function), and a function
// URL authorizes the caller against the function's resource policy. Since October 2025 a function URL needs
// both lambda:InvokeFunctionUrl and lambda:InvokeFunction (AWS Lambda Developer Guide, "Control access to Lambda
// function URLs"). Policies are evaluated with @cloud-copilot/iam-simulate (AGPL: simulator only).
import type { Origin } from '@aws-sdk/client-cloudfront';
import { anonymousPrincipal, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { ScenarioLambdaFunction } from '../scenario/types.ts';
import { CLOUDFRONT_SERVICE } from './access.ts';
import { forwardsViewerHost } from './s3-origin.ts';
import type { Behavior, EdgeContext, EdgeResponse } from './types.ts';

const API_GATEWAY = /^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;
const FUNCTION_URL = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

// Function URLs answer an unauthorized caller with this body and AccessDeniedException (seen in the
// function URL troubleshooting reports the AWS Lambda guide links to, e.g. aws/aws-cdk#35872).
const URL_FORBIDDEN =
  '{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}';

function requestId(ctx: EdgeContext): string {
  const hex = Buffer.from(ctx.ids.s3RequestId, 'utf8').toString('hex').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function json(ctx: EdgeContext, status: number, body: string, extra: Record<string, string>): EdgeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId(ctx), ...extra },
    body,
    trace: ctx.trace,
  };
}

/** The Host the origin receives: the viewer's when the behavior forwards it, else the origin's own name. */
function hostSent(ctx: EdgeContext, behavior: Behavior, domain: string): string {
  return forwardsViewerHost(ctx.view.scenario, behavior)
    ? (ctx.headers.host ?? domain).toLowerCase()
    : domain;
}

function findFunction(
  ctx: EdgeContext,
  domain: string,
): { fn: ScenarioLambdaFunction; authType: string; arn: string } | undefined {
  for (const fn of ctx.view.scenario.lambda?.functions ?? []) {
    for (const url of fn.FunctionUrlConfigs ?? []) {
      let host = '';
      try {
        host = new URL(url.FunctionUrl).hostname.toLowerCase();
      } catch {
        continue;
      }
      if (host === domain) return { fn, authType: url.AuthType, arn: url.FunctionArn ?? fn.FunctionArn };
    }
  }
  return undefined;
}

/** CloudFront signs for the lambda-type OAC unless it signs never (or no-override with a viewer Authorization). */
function signedByOac(ctx: EdgeContext, origin: Origin): boolean {
  const id = origin.OriginAccessControlId ?? '';
  if (id === '') return false;
  const config = ctx.view.scenario.cloudfront.originAccessControls?.find(
    (o) => o.Id === id,
  )?.OriginAccessControlConfig;
  if (config?.OriginAccessControlOriginType !== 'lambda') return false;
  if (config.SigningBehavior === 'never') return false;
  if (config.SigningBehavior === 'no-override' && ctx.headers.authorization !== undefined) return false;
  return true;
}

// runUnsafeSimulation loads the resource policy without metadata and then reads metadata().name.
function asValidated(policy: unknown): object {
  return { __validated: true, policyDocument: policy, metadata: { name: 'function-policy' }, errors: [] };
}

function allowed(
  policyText: string | null,
  action: string,
  resource: string,
  account: string,
  principal: Simulation['request']['principal'],
  context: Record<string, string>,
): boolean {
  if (policyText === null) return false;
  try {
    const simulation: Simulation = {
      request: { principal, action, resource: { resource, accountId: account }, contextVariables: context },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: asValidated(JSON.parse(policyText)),
      additionalSettings: {},
    };
    return runUnsafeSimulation(simulation, {}) === 'Allowed';
  } catch {
    return false;
  }
}

function functionUrlOrigin(
  ctx: EdgeContext,
  origin: Origin,
  behavior: Behavior,
  domain: string,
): EdgeResponse | undefined {
  const found = findFunction(ctx, domain);
  if (!found) return undefined;
  const host = hostSent(ctx, behavior, domain);
  if (host !== domain) {
    ctx.trace.push(`origin:lambda-url:host-mismatch:${host}`);
    return json(ctx, 403, '{"Message":"Forbidden"}', { 'x-amzn-errortype': 'AccessDeniedException' });
  }
  const account = ctx.view.scenario.account;
  const signed = signedByOac(ctx, origin);
  const iam = found.authType === 'AWS_IAM';
  if (iam && !signed) {
    ctx.trace.push('origin:lambda-url:unsigned');
    return json(ctx, 403, URL_FORBIDDEN, { 'x-amzn-errortype': 'AccessDeniedException' });
  }
  const principal = iam ? CLOUDFRONT_SERVICE : anonymousPrincipal;
  const context: Record<string, string> = iam
    ? { 'aws:SourceArn': ctx.distribution.ARN, 'aws:SourceAccount': account }
    : {};
  const policy = found.fn.Policy;
  const urlOk = allowed(policy, 'lambda:InvokeFunctionUrl', found.arn, account, principal, {
    ...context,
    'lambda:FunctionUrlAuthType': found.authType,
  });
  const invokeOk = allowed(policy, 'lambda:InvokeFunction', found.arn, account, principal, {
    ...context,
    'lambda:InvokedViaFunctionUrl': 'true',
  });
  ctx.trace.push(`origin:lambda-url:${found.fn.FunctionName}:url-${urlOk}:invoke-${invokeOk}`);
  if (!urlOk || !invokeOk)
    return json(ctx, 403, URL_FORBIDDEN, { 'x-amzn-errortype': 'AccessDeniedException' });
  const r = found.fn.Response;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r?.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    status: r?.status ?? 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId(ctx), ...headers },
    body: r?.body ?? '{"ok":true}',
    trace: ctx.trace,
  };
}

/** The answer of an AWS endpoint origin, or undefined when it is not one (or has nothing to say itself). */
export function awsOrigin(
  ctx: EdgeContext,
  origin: Origin,
  behavior: Behavior,
  domain: string,
): EdgeResponse | undefined {
  if (FUNCTION_URL.test(domain)) return functionUrlOrigin(ctx, origin, behavior, domain);
  if (API_GATEWAY.test(domain)) {
    const host = hostSent(ctx, behavior, domain);
    if (host !== domain) {
      ctx.trace.push(`origin:api-gateway:host-mismatch:${host}`);
      return json(ctx, 403, '{"message":"Forbidden"}', {
        'x-amzn-errortype': 'ForbiddenException',
        'x-amz-apigw-id': ctx.ids.s3RequestId.slice(0, 16),
      });
    }
  }
  return undefined;
}
