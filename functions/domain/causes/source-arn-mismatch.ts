// Cause 11: the bucket policy grants CloudFront, but for another distribution, account, bucket or prefix.
import { parseOperator } from '../policy/document.ts';
import { resourcePatternMatches } from '../policy/evaluate.ts';
import { replaceStatement } from '../policy/merge.ts';
import type { GrantStatement } from '../policy/questions.ts';
import { globMatch } from '../policy/wildcard.ts';
import type { Evidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { unmetHeaderConditions } from './policy-header-condition.ts';
import {
  allMissing,
  ask,
  cloudFrontReads,
  grantsOnly,
  type OacReadGap,
  oacReadGaps,
  objectArn,
  probeLine,
  statementName,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Does one condition value (as written under `operator`) accept `actual`? Negated operators count as yes. */
function valueAccepts(operator: string, pattern: string, actual: string): boolean {
  const base = ask(() => parseOperator(operator).base);
  switch (base) {
    case 'StringEquals':
      return pattern === actual;
    case 'StringEqualsIgnoreCase':
      return pattern.toLowerCase() === actual.toLowerCase();
    case 'StringLike':
    case 'ArnLike':
    case 'ArnEquals':
      return globMatch(pattern, actual, new Map(), { wildcards: true, variables: false });
    default:
      // not a positive match on the key (StringNotEquals, Null...): not ours to rewrite
      return true;
  }
}

/**
 * The statement with its SourceArn / SourceAccount values naming this distribution and account, and
 * its Resource covering the failing keys; every other member kept. A single wrong value is replaced;
 * a list (a grant shared by several distributions) keeps its values and gains this one.
 */
export function correctedGrant(
  ev: Evidence,
  bucket: string,
  grant: GrantStatement,
  keys: readonly string[],
): Json {
  const out: Json = structuredClone(grant.statement);
  const wanted: Record<string, string> = {
    'aws:sourcearn': ev.distribution.ARN,
    'aws:sourceaccount': ev.account,
  };
  if (isRecord(out.Condition)) {
    const condition: Json = {};
    for (const [operator, block] of Object.entries(out.Condition)) {
      if (!isRecord(block)) {
        condition[operator] = block;
        continue;
      }
      const fixed: Json = {};
      for (const [key, value] of Object.entries(block)) {
        const want = wanted[key.toLowerCase()];
        const values = (Array.isArray(value) ? value : [value]).map(String);
        if (want === undefined || values.some((v) => valueAccepts(operator, v, want))) fixed[key] = value;
        // Add, never replace: the value it names may be another live distribution sharing this bucket.
        else fixed[key] = Array.isArray(value) ? [...value, want] : [value, want];
      }
      condition[operator] = fixed;
    }
    out.Condition = condition;
  }
  const covered = (key: string) =>
    !grant.notResource &&
    grant.resources.some((p) => resourcePatternMatches(p, objectArn(bucket, key), new Map(), false) === true);
  if (!keys.every(covered)) {
    delete out.NotResource;
    out.Resource = `arn:aws:s3:::${bucket}/*`;
  }
  return out;
}

interface Correction {
  grant: GrantStatement;
  statement: Json;
  policy: string;
}

/** The first grant whose correction lets CloudFront read every failing key. */
function findCorrection(ev: Evidence, gap: OacReadGap): Correction | undefined {
  if (gap.policy === null) return undefined;
  const text = gap.policy;
  for (const grant of gap.grants) {
    const statement = correctedGrant(ev, gap.bucket.name, grant, gap.keys);
    const replaced = ask(() => replaceStatement(text, grant.index, statement));
    if (!replaced?.changed) continue;
    // Whether the corrected grant covers the reads; a Deny beside it is EXPLICIT_DENY's to report.
    const allows = grantsOnly(replaced.policy);
    if (gap.keys.every((key) => cloudFrontReads(ev, gap.bucket.name, allows, key))) {
      return { grant, statement, policy: replaced.policy };
    }
  }
  return undefined;
}

/** What the correction changes, for the plan's description. */
function changes(before: Json, after: Json): string[] {
  const out: string[] = [];
  const same = (k: string) => JSON.stringify(before[k]) === JSON.stringify(after[k]);
  if (!same('Condition'))
    out.push(`Condition ${JSON.stringify(before.Condition)} → ${JSON.stringify(after.Condition)}`);
  if (!same('Resource') || !same('NotResource')) {
    out.push(
      `${before.Resource !== undefined ? 'Resource' : 'NotResource'} ${JSON.stringify(before.Resource ?? before.NotResource)} → Resource ${JSON.stringify(after.Resource)}`,
    );
  }
  return out;
}

function describeGrant(g: GrantStatement): string {
  const parts = [
    `Resource ${g.notResource ? 'NotResource ' : ''}${JSON.stringify(g.resources)}`,
    g.sourceArns.length > 0 ? `AWS:SourceArn ${JSON.stringify(g.sourceArns)}` : '',
    g.sourceAccounts.length > 0 ? `aws:SourceAccount ${JSON.stringify(g.sourceAccounts)}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

export const sourceArnMismatch: CauseModule = {
  id: 'SOURCE_ARN_MISMATCH',
  risk: 'destructive',
  detect({ ev, failing }) {
    const gap = oacReadGaps(ev, failing).find((g) => g.grants.length > 0);
    if (!gap) return null;
    const correction = findCorrection(ev, gap);
    // A grant that only a Referer or User-Agent condition keeps from applying is POLICY_HEADER_CONDITION's.
    const ctx = { ev, failing, resolved: failing };
    if (!correction && unmetHeaderConditions(ctx).some((u) => u.bucket.name === gap.bucket.name)) return null;
    const grant = correction?.grant ?? gap.grants[0];
    if (!grant) return null;
    const missing = allMissing(gap.bucket, gap.keys);
    return {
      id: 'SOURCE_ARN_MISMATCH',
      // Unproven when no correction of the statement alone lets CloudFront read.
      confidence: !correction ? 0.6 : gap.denied ? 0.9 : missing ? 0.5 : 0.95,
      summary: `Bucket ${gap.bucket.name}'s CloudFront grant (statement ${statementName(grant)}) does not cover distribution ${ev.distribution.Id} reading ${gap.keys.join(', ')}`,
      evidence: [
        `GetBucketPolicy ${gap.bucket.name}: statement ${statementName(grant)} allows cloudfront.amazonaws.com s3:GetObject with ${describeGrant(grant)}`,
        `GetDistribution: ARN = ${ev.distribution.ARN}, account ${ev.account}; object ARN ${objectArn(gap.bucket.name, gap.keys[0] ?? '')}`,
        ...gap.reqs.map(probeLine),
      ],
      subject: {
        originId: gap.origin.id,
        bucket: gap.bucket.name,
        index: String(grant.index),
        ...(grant.sid !== undefined ? { sid: grant.sid } : {}),
        ...(correction ? {} : { uncorrectable: 'true' }),
      },
      requests: probedIndices(gap.reqs),
    };
  },
  plan(finding, { ev, failing }) {
    const bucket = finding.subject?.bucket;
    const gap = oacReadGaps(ev, failing).find((g) => g.bucket.name === bucket && g.grants.length > 0);
    if (!bucket || !gap) return [];
    const correction = findCorrection(ev, gap);
    const name = finding.subject?.sid ? `'${finding.subject.sid}'` : `#${finding.subject?.index ?? '?'}`;
    if (!correction) {
      return [
        {
          id: `fix-cloudfront-grant:${bucket}`,
          cause: 'SOURCE_ARN_MISMATCH',
          risk: 'manual',
          description: `Correct statement ${name} of bucket ${bucket}'s policy so that it allows cloudfront.amazonaws.com s3:GetObject on arn:aws:s3:::${bucket}/* with AWS:SourceArn = ${ev.distribution.ARN}; correcting its SourceArn, SourceAccount and Resource alone does not let CloudFront read ${gap.keys.join(', ')}`,
          calls: [],
          diff: [],
        },
      ];
    }
    const { grant, statement, policy } = correction;
    return [
      {
        id: `fix-cloudfront-grant:${bucket}`,
        cause: 'SOURCE_ARN_MISMATCH',
        risk: 'destructive',
        description: `Correct statement ${statementName(grant)} of bucket ${bucket}'s policy (${changes(grant.statement, statement).join('; ')}), keeping its Sid, its other members and every other statement`,
        calls: [
          { service: 's3', api: 'GetBucketPolicy', target: bucket },
          { service: 's3', api: 'PutBucketPolicy', target: bucket },
        ],
        diff: [
          {
            path: `s3://${bucket} policy Statement[${grant.index}]`,
            before: grant.statement,
            after: statement,
          },
          { path: `s3://${bucket} policy`, before: gap.policy, after: policy },
        ],
        change: { type: 'replace-bucket-policy-statement', bucket, index: grant.index, statement },
      },
    ];
  },
};
