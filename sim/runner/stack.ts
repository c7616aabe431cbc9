// The stack's own resources in the simulated account, as `cdk deploy` would leave them: the approval document
// at the version the stack deployed (named after its content) and the pause switch. The runner installs them
// in every world it runs the workflow in.
import { approvalDocumentContent, approvalDocumentVersionName } from '../../lib/approval.ts';
import type { World } from '../world/index.ts';
import { putDocument, putParameter } from '../world/ssm.ts';

export const SIM_APPROVAL_DOCUMENT = 'Cf403Remediation-Approval';
export const SIM_PAUSE_PARAMETER = '/cf403/Cf403Remediation/paused';
/** The stack's default approval timeout (cf403:approvalTimeout). */
const APPROVAL_TIMEOUT_SECONDS = 86_400;

/** The approvers list the deployment would configure: the role an operator assumes to approve. */
export function simulatedOperatorArn(world: World): string {
  return `arn:aws:iam::${world.account}:role/cf403-operator`;
}

/** The approval document's content and VersionName as the stack deploys them for this world's operator. */
export function simulatedApprovalDocument(world: World): {
  content: Record<string, unknown>;
  versionName: string;
} {
  const content = approvalDocumentContent({
    approvers: [simulatedOperatorArn(world)],
    minApprovals: 1,
    timeout: { toSeconds: () => APPROVAL_TIMEOUT_SECONDS },
  });
  return { content, versionName: approvalDocumentVersionName(content) };
}

/** Installs the stack's resources once per world; returns the document's VersionName. */
export function deployStack(world: World): { versionName: string } {
  const { content, versionName } = simulatedApprovalDocument(world);
  if (!world.state.documents?.has(SIM_APPROVAL_DOCUMENT)) {
    putDocument(world, { name: SIM_APPROVAL_DOCUMENT, content, versionName });
    putParameter(world, SIM_PAUSE_PARAMETER, 'false');
  }
  return { versionName };
}
