// cdk-nag v3 acknowledgements. v3 runs as a CDK policy-validation plugin and matches each finding by its exact
// id (`AwsSolutions-IAM5[Resource::...]`), so the helpers here build those ids the way cdk-nag flattens them.
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export class NagReferenceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NagReferenceError';
  }
}

/**
 * Acknowledges a rule on `construct` and everything below it, with the reason recorded in the assembly.
 * With `findings`, acknowledges only those findings (e.g. `Resource::*`), never the whole rule.
 */
export function acknowledge(
  construct: IConstruct,
  rule: string,
  reason: string,
  findings?: readonly string[],
): void {
  const validations = Validations.of(construct);
  if (!findings) {
    validations.acknowledge({ id: rule, reason });
    return;
  }
  for (const finding of new Set(findings)) validations.acknowledge({ id: `${rule}[${finding}]`, reason });
}

/**
 * How cdk-nag prints `Fn::GetAtt` of a construct's CloudFormation resource: `<LogicalId.Attr>`.
 * Resolves the logical id now, so call it after any `overrideLogicalId`.
 */
export function nagAttRef(construct: IConstruct, attribute = 'Arn'): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element)) {
    throw new NagReferenceError(`${construct.node.path} has no CloudFormation resource to reference`);
  }
  const logicalId: unknown = Stack.of(element).resolve(element.logicalId);
  if (typeof logicalId !== 'string') {
    throw new NagReferenceError(`logical id of ${element.node.path} did not resolve to a string`);
  }
  return `<${logicalId}.${attribute}>`;
}

/** X-Ray's write API has no resource-level permissions; Lambda and Step Functions add it for active tracing. */
export const XRAY_WILDCARD_REASON =
  'xray:PutTraceSegments, xray:PutTelemetryRecords (and for Step Functions xray:GetSamplingRules, xray:GetSamplingTargets) support no resource-level permissions, so active tracing needs Resource *.';
