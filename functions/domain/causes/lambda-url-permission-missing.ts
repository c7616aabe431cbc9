// A Lambda function URL origin signed by an OAC, whose function policy does not let cloudfront.amazonaws.com
// invoke it for this distribution. Since October 2025 a function URL needs both lambda:InvokeFunctionUrl and
// lambda:InvokeFunction (the latter narrowed by lambda:InvokedViaFunctionUrl), each with AWS:SourceArn = the
// distribution (AWS Lambda Developer Guide, "Control access to Lambda function URLs"; CloudFront Developer
// Guide, "Restrict access to an AWS Lambda function URL origin"). CDK's FunctionUrlOrigin.withOriginAccessControl
// wrote only the first for a while (aws/aws-cdk#35872). The fix adds only the missing statements.
import { evaluateResourcePolicy } from '../policy/evaluate.ts';
import { CLOUDFRONT_SERVICE_PRINCIPAL } from '../policy/questions.ts';
import type { ResolvedRequest } from '../routing.ts';
import type { Action, Evidence, LambdaPermission, LambdaUrlEvidence, OriginEvidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { ask, probeLine, statementName } from './shared/s3-access.ts';
import { manualAction, probedIndices } from './shared/viewer.ts';

const LAMBDA_URL = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

export function isLambdaUrl(domain: string): boolean {
  return LAMBDA_URL.test(domain.toLowerCase().replace(/\.$/, ''));
}

type InvokeAction = LambdaPermission['action'];
const ACTIONS: readonly InvokeAction[] = ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'];

/** The statement AddPermission writes for CloudFront; its id names the distribution it is for. */
export function permissionFor(ev: Evidence, url: LambdaUrlEvidence, action: InvokeAction): LambdaPermission {
  const short = action === 'lambda:InvokeFunctionUrl' ? 'InvokeFunctionUrl' : 'InvokeFunction';
  return {
    functionName: url.functionArn,
    // StatementId: 1-100 of ([a-zA-Z0-9-_.]+) (Lambda API Reference, AddPermission)
    statementId: `cf403-${short}-${ev.distribution.Id}`.slice(0, 100),
    action,
    principal: CLOUDFRONT_SERVICE_PRINCIPAL,
    sourceArn: ev.distribution.ARN,
    ...(action === 'lambda:InvokeFunctionUrl'
      ? { functionUrlAuthType: url.authType === 'NONE' ? ('NONE' as const) : ('AWS_IAM' as const) }
      : { invokedViaFunctionUrl: true }),
  };
}

/** May CloudFront, signing for this distribution, perform `action` under the function's policy? */
function decision(ev: Evidence, url: LambdaUrlEvidence, policy: string | null, action: InvokeAction) {
  return ask(() =>
    evaluateResourcePolicy(policy, {
      principal: { type: 'Service', id: CLOUDFRONT_SERVICE_PRINCIPAL },
      action,
      resource: url.functionArn,
      context: {
        'aws:SourceArn': ev.distribution.ARN,
        'aws:SourceAccount': ev.account,
        'aws:PrincipalServiceName': CLOUDFRONT_SERVICE_PRINCIPAL,
        'aws:PrincipalIsAWSService': true,
        'aws:SecureTransport': true,
        'lambda:FunctionUrlAuthType': url.authType,
        'lambda:InvokedViaFunctionUrl': true,
      },
    }),
  );
}

interface Gap {
  origin: OriginEvidence;
  reqs: ResolvedRequest[];
  url?: LambdaUrlEvidence;
  /** the actions no statement allows; empty when the policy could not be read */
  missing: InvokeAction[];
  /** a Deny statement refuses CloudFront: a person's call */
  denied: string[];
  readable: boolean;
  reason?: string;
}

/** OAC-signed function URL origins whose failing requests the function policy explains. */
export function lambdaUrlGaps(ctx: DetectContext): Gap[] {
  const { ev } = ctx;
  const byOrigin = new Map<string, ResolvedRequest[]>();
  for (const r of ctx.failing) {
    const origin = r.origin;
    if (origin?.kind !== 'custom' || !isLambdaUrl(origin.domainName)) continue;
    if (r.probe?.fingerprint.source !== 'custom-origin') continue;
    byOrigin.set(origin.id, [...(byOrigin.get(origin.id) ?? []), r]);
  }
  const gaps: Gap[] = [];
  for (const reqs of byOrigin.values()) {
    const origin = reqs[0]?.origin;
    if (!origin) continue;
    const oac = origin.oac.ok ? origin.oac.value : null;
    const config = oac?.OriginAccessControlConfig;
    // Only an OAC of type lambda that signs makes CloudFront the caller the policy must name.
    if (config?.OriginAccessControlOriginType !== 'lambda' || config.SigningBehavior === 'never') continue;
    const evidence = ev.lambdaUrls?.[origin.id];
    if (!evidence?.ok) {
      gaps.push({
        origin,
        reqs,
        missing: [],
        denied: [],
        readable: false,
        reason: evidence
          ? `${evidence.code}: ${evidence.message}`
          : 'the function behind the URL was not found',
      });
      continue;
    }
    const url = evidence.value;
    if (!url.policy.ok) {
      gaps.push({
        origin,
        reqs,
        url,
        missing: [],
        denied: [],
        readable: false,
        reason: `GetPolicy: ${url.policy.code}`,
      });
      continue;
    }
    const policy = url.policy.value;
    const missing: InvokeAction[] = [];
    const denied: string[] = [];
    for (const action of ACTIONS) {
      const d = decision(ev, url, policy, action);
      if (d?.decision === 'Allow') continue;
      if (d?.decision === 'ExplicitDeny') denied.push(...d.deniedBy.map(statementName));
      missing.push(action);
    }
    if (missing.length > 0)
      gaps.push({ origin, reqs, url, missing, denied: [...new Set(denied)], readable: true });
  }
  return gaps;
}

export const lambdaUrlPermissionMissing: CauseModule = {
  id: 'LAMBDA_URL_PERMISSION_MISSING',
  risk: 'destructive',
  detect(ctx) {
    const [gap] = lambdaUrlGaps(ctx);
    if (!gap) return null;
    const { origin, url } = gap;
    const oacId = origin.oac.ok ? origin.oac.value?.Id : undefined;
    return {
      id: 'LAMBDA_URL_PERMISSION_MISSING',
      confidence: gap.readable ? 0.95 : 0.6,
      summary: gap.readable
        ? `Function URL origin ${origin.id} (${url?.functionArn ?? origin.domainName}) is signed by an OAC, but the function's policy does not allow cloudfront.amazonaws.com ${gap.missing.join(' and ')} for distribution ${ctx.ev.distribution.Id}`
        : `Function URL origin ${origin.id} (${origin.domainName}) refuses CloudFront's signed requests; the function's policy could not be read (${gap.reason ?? ''})`,
      evidence: [
        `GetDistributionConfig: origin ${origin.id} DomainName = ${origin.domainName} (Lambda function URL), OriginAccessControlId = ${oacId ?? ''} (type lambda)`,
        ...(url
          ? [`ListFunctionUrlConfigs: ${origin.domainName} is the ${url.authType} URL of ${url.functionArn}`]
          : []),
        ...(gap.readable
          ? gap.missing.map(
              (a) =>
                `GetPolicy ${url?.functionArn ?? ''}: no statement allows ${CLOUDFRONT_SERVICE_PRINCIPAL} ${a} with AWS:SourceArn = ${ctx.ev.distribution.ARN}${gap.denied.length ? ` (denied by ${gap.denied.join(', ')})` : ''}`,
            )
          : [`GetPolicy: unreadable (${gap.reason ?? ''})`]),
        ...gap.reqs.map(probeLine),
      ],
      subject: { originId: origin.id, functionArn: url?.functionArn ?? '', missing: gap.missing.join(',') },
      requests: probedIndices(gap.reqs),
    };
  },
  plan(_finding, ctx) {
    const { ev } = ctx;
    return lambdaUrlGaps(ctx).flatMap((gap): Action[] => {
      const url = gap.url;
      if (!gap.readable || !url || gap.denied.length > 0) {
        return [
          manualAction(
            `lambda-url-permission:${gap.origin.id}`,
            'LAMBDA_URL_PERMISSION_MISSING',
            `Let ${CLOUDFRONT_SERVICE_PRINCIPAL} invoke ${url?.functionArn ?? `the function behind ${gap.origin.domainName}`} for distribution ${ev.distribution.Id}: two statements, lambda:InvokeFunctionUrl (lambda:FunctionUrlAuthType AWS_IAM) and lambda:InvokeFunction (lambda:InvokedViaFunctionUrl true), each with AWS:SourceArn = ${ev.distribution.ARN}.${gap.denied.length ? ` A Deny statement (${gap.denied.join(', ')}) refuses CloudFront and must be reviewed first.` : ` The function's policy could not be read (${gap.reason ?? ''}), so the workflow adds nothing.`}`,
          ),
        ];
      }
      const policyBefore = url.policy.ok ? url.policy.value : null;
      return gap.missing.map((action) => {
        const permission = permissionFor(ev, url, action);
        return {
          id: `add-lambda-permission:${url.functionArn}:${action}`,
          cause: 'LAMBDA_URL_PERMISSION_MISSING' as const,
          risk: 'destructive' as const,
          description: `Add statement ${permission.statementId} to the policy of ${url.functionArn}: allow ${CLOUDFRONT_SERVICE_PRINCIPAL} ${action} with AWS:SourceArn = ${ev.distribution.ARN}${permission.functionUrlAuthType ? ` and lambda:FunctionUrlAuthType = ${permission.functionUrlAuthType}` : ''}${permission.invokedViaFunctionUrl ? ' and lambda:InvokedViaFunctionUrl = true (only through its URL)' : ''}`,
          calls: [{ service: 'lambda' as const, api: 'AddPermission', target: url.functionArn }],
          diff: [{ path: `${url.functionArn} policy`, before: policyBefore, after: permission }],
          change: { type: 'add-lambda-permission' as const, permission },
        };
      });
    });
  },
};
