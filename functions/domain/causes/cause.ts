// One cause, one module: its detection rule and its fix live together.
import type { ResolvedRequest } from '../routing.ts';
import type { Action, CauseId, Evidence, Finding, Risk } from '../types.ts';
import type { VantageBlock } from '../vantage.ts';

export interface DetectContext {
  readonly ev: Evidence;
  /** every logged failing request, routed through the distribution config */
  readonly resolved: readonly ResolvedRequest[];
  /** the requests whose probe still answers 403 */
  readonly failing: readonly ResolvedRequest[];
  /** requests CloudFront refused the prober for (its location or identity): their probe answer stands in from the access log */
  readonly vantage?: readonly VantageBlock[];
}

export interface CauseModule {
  readonly id: CauseId;
  readonly risk: Risk;
  /** A finding only when the evidence shows this cause explains failing requests; null otherwise. */
  detect(ctx: DetectContext): Finding | null;
  /** The changes (or, for manual causes, the recommendation) that cure the finding. */
  plan(finding: Finding, ctx: DetectContext): Action[];
}
