// The cf403 package's public entry (`import { CloudFront403Remediation } from 'cf403'`): the construct, its props
// and scope types, and the ready-made stack. Nothing here reaches the simulator (@cf403/simulator, AGPL).
export * from './cloudfront-403-remediation.ts';
export { MemberStack, type MemberStackProps } from './member-stack.ts';
export {
  InvalidContextError,
  parseRemediationContext,
  type RemediationSettings,
  RemediationStack,
  type RemediationStackProps,
} from './remediation-stack.ts';
