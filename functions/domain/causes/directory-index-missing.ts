// Directory-style URLs (`/posts/x/`, `/posts/x`) on an S3 REST origin: the REST endpoint has no index
// documents, so S3 is asked for the key `posts/x/`, which does not exist, and answers 403 (no s3:ListBucket),
// while `posts/x/index.html` is there. The fix is the rewrite AWS documents: a viewer-request CloudFront
// Function that appends index.html (CloudFront Developer Guide, "Add index.html to request URLs that don't
// include a file name").
import type { CacheBehavior, DefaultCacheBehavior } from '@aws-sdk/client-cloudfront';
import type { MatchedBehavior, ResolvedRequest } from '../routing.ts';
import type { Action, Evidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import {
  directoryIndexExists,
  extensionless,
  INDEX_DOCUMENT,
  websiteFeaturesFor,
} from './shared/missing-keys.ts';
import {
  cloudFrontDecision,
  headLine,
  identityCanRead,
  originIdentity,
  probeLine,
  readPolicy,
  refusedBuckets,
} from './shared/s3-access.ts';
import {
  behaviorField,
  behaviorLabel,
  distributionUpdateCalls,
  manualAction,
  probedIndices,
  sentence,
} from './shared/viewer.ts';

type Behavior = CacheBehavior | DefaultCacheBehavior;

interface DirectoryGroup {
  matched: MatchedBehavior;
  bucket: string;
  reqs: { r: ResolvedRequest; index: string; readable: boolean }[];
}

/** Function names: 1-64 of [a-zA-Z0-9-_] (CloudFront API Reference, CreateFunction, Name). */
export function indexFunctionName(distributionId: string): string {
  return `cf403-index-${distributionId}`.slice(0, 64);
}

/**
 * The rewrite, in cloudfront-js-2.0. Extension-less paths are rewritten only when such paths failed: a site
 * that stores pages as extension-less keys (`posts/x`) would otherwise lose them.
 */
export function indexFunctionCode(distributionId: string, extensionlessToo: boolean): string {
  return [
    `// Created by cf403 for distribution ${distributionId}: serves directory-style URLs from their`,
    `// ${INDEX_DOCUMENT}, as the S3 website endpoint does (the REST endpoint has no index documents).`,
    'function handler(event) {',
    '  var request = event.request;',
    '  var uri = request.uri;',
    '  if (uri.endsWith("/")) {',
    `    request.uri = uri + "${INDEX_DOCUMENT}";`,
    ...(extensionlessToo
      ? [
          '  } else if (uri.split("/").pop().indexOf(".") === -1) {',
          `    request.uri = uri + "/${INDEX_DOCUMENT}";`,
        ]
      : []),
    '  }',
    '  return request;',
    '}',
    '',
  ].join('\n');
}

function groups(ctx: DetectContext): DirectoryGroup[] {
  const { ev, failing } = ctx;
  const out = new Map<string, DirectoryGroup>();
  for (const { reqs, origin, bucket } of refusedBuckets(ev, failing)) {
    // A bucket whose website redirects the failing requests rely on too is WEBSITE_FEATURES_ON_REST's: a
    // person chooses between a function and the website endpoint for all of it.
    if (reqs.some((r) => r.key !== undefined && websiteFeaturesFor(bucket, r.key).length > 0)) continue;
    const identity = originIdentity(ev, origin);
    const policy = readPolicy(bucket);
    for (const r of reqs) {
      if (!['GET', 'HEAD'].includes(r.request.method.toUpperCase())) continue;
      const index = directoryIndexExists(bucket, r);
      if (index === undefined || r.key === undefined) continue;
      // Through an OAC attached by another fix the index is read as that OAC: ask for it then.
      const decision =
        policy === undefined
          ? undefined
          : identity.kind === 'none' || identity.kind === 'oac-broken' || identity.kind === 'oai-missing'
            ? cloudFrontDecision(ev, bucket.name, policy, index)
            : identityCanRead(ev, identity, bucket.name, policy, index);
      const group = out.get(r.matched.pathPattern) ?? { matched: r.matched, bucket: bucket.name, reqs: [] };
      group.reqs.push({ r, index, readable: decision?.decision === 'Allow' });
      out.set(r.matched.pathPattern, group);
    }
  }
  return [...out.values()];
}

/** Why a function cannot simply be added to the behavior, or undefined when it can. */
function blocker(b: Behavior): string | undefined {
  const viewer = (b.FunctionAssociations?.Items ?? []).find((a) => a.EventType === 'viewer-request');
  if (viewer)
    return `it already has viewer-request CloudFront Function ${viewer.FunctionARN ?? ''}, and a behavior holds one function per event type`;
  const edge = (b.LambdaFunctionAssociations?.Items ?? []).find((a) =>
    (a.EventType ?? '').startsWith('viewer-'),
  );
  if (edge)
    return `it has Lambda@Edge ${edge.EventType ?? ''} function ${edge.LambdaFunctionARN ?? ''}, and CloudFront Functions and Lambda@Edge cannot share viewer events`;
  return undefined;
}

function rewriteSteps(extensionlessToo: boolean): string {
  return `if the URI ends with "/", append "${INDEX_DOCUMENT}"${extensionlessToo ? `; else if its last segment has no ".", append "/${INDEX_DOCUMENT}"` : ''}`;
}

export const directoryIndexMissing: CauseModule = {
  id: 'DIRECTORY_INDEX_MISSING',
  risk: 'destructive',
  detect(ctx) {
    const found = groups(ctx);
    const first = found[0];
    if (!first) return null;
    const all = found.flatMap((g) => g.reqs);
    const readable = all.every((x) => x.readable);
    const bucket = ctx.ev.buckets[first.bucket];
    return {
      id: 'DIRECTORY_INDEX_MISSING',
      // Below the access causes when the index itself cannot be read yet: then it is the second problem.
      confidence: readable ? 0.94 : 0.8,
      summary: `Directory-style URLs (${all.map((x) => x.r.path).join(', ')}) reach S3 REST origin ${first.matched.behavior.TargetOriginId ?? ''} as keys that do not exist, while their ${INDEX_DOCUMENT} does: the REST endpoint has no index documents, and ${behaviorLabel(first.matched.pathPattern)} has no rewrite`,
      evidence: [
        ...found.map(
          (g) =>
            `GetDistributionConfig: ${behaviorField(g.matched, 'FunctionAssociations')} has no viewer-request rewrite${blocker(g.matched.behavior) ? ` (${blocker(g.matched.behavior)})` : ''}`,
        ),
        ...all.flatMap(({ r, index }) =>
          bucket ? [headLine(bucket, r.key ?? ''), headLine(bucket, index)] : [],
        ),
        ...all.map(({ r }) => probeLine(r)),
      ],
      subject: { pathPattern: first.matched.pathPattern, bucket: first.bucket },
      requests: probedIndices(all.map((x) => x.r)),
    };
  },
  plan(_finding, ctx) {
    const { ev } = ctx;
    const found = groups(ctx);
    const distId = ev.distribution.Id;
    const name = indexFunctionName(distId);
    const extensionlessToo = found.some((g) => g.reqs.some((x) => extensionless(x.r.path)));
    const code = indexFunctionCode(distId, extensionlessToo);
    const actions: Action[] = [];
    const attachable = found.filter((g) => blocker(g.matched.behavior) === undefined);
    for (const g of found) {
      const why = blocker(g.matched.behavior);
      if (!why) continue;
      actions.push(
        manualAction(
          `directory-index:${distId}:${g.matched.pathPattern}`,
          'DIRECTORY_INDEX_MISSING',
          `${sentence(behaviorLabel(g.matched.pathPattern))} of distribution ${distId} needs a viewer-request rewrite for directory-style URLs, but ${why}. Add the rewrite to that function and publish it: ${rewriteSteps(extensionlessToo)} (as in this code: ${code.replace(/\n\s*/g, ' ').trim()})`,
        ),
      );
    }
    if (attachable.length === 0) return actions;
    const automatic: Action[] = [];
    automatic.push({
      id: `create-index-function:${distId}`,
      cause: 'DIRECTORY_INDEX_MISSING',
      risk: 'destructive',
      description: `Create and publish CloudFront Function '${name}' (viewer request, cloudfront-js-2.0) that rewrites directory-style URLs: ${rewriteSteps(extensionlessToo)}`,
      calls: [
        { service: 'cloudfront', api: 'CreateFunction', target: name },
        { service: 'cloudfront', api: 'PublishFunction', target: name },
      ],
      diff: [{ path: `CloudFront Function ${name}`, before: null, after: code }],
      change: {
        type: 'create-function',
        functionName: name,
        comment: `cf403: index.html for directory URLs of ${distId}`,
        code,
      },
    });
    for (const g of attachable) {
      const items = g.matched.behavior.FunctionAssociations?.Items ?? [];
      automatic.push({
        id: `attach-index-function:${distId}:${g.matched.pathPattern}`,
        cause: 'DIRECTORY_INDEX_MISSING',
        risk: 'destructive',
        description: `Associate '${name}' with ${behaviorLabel(g.matched.pathPattern)} of distribution ${distId} as its viewer-request function`,
        calls: distributionUpdateCalls(ev),
        diff: [
          {
            path: behaviorField(g.matched, 'FunctionAssociations.Items'),
            before: items,
            after: [...items, { FunctionARN: functionArn(ev, name), EventType: 'viewer-request' }],
          },
        ],
        change: {
          type: 'update-distribution',
          edits: [
            {
              op: 'associate-function',
              pathPattern: g.matched.pathPattern,
              eventType: 'viewer-request',
              functionName: name,
            },
          ],
        },
      });
    }
    // Verification probes every failing request: with one behavior left to a person, the others' change
    // could not be verified, so it stays a recommendation too.
    if (actions.length > 0)
      return [
        ...actions,
        ...automatic.map((a) => ({ ...a, risk: 'manual' as const, change: undefined, calls: [] })),
      ];
    return automatic;
  },
};

/** `arn:aws:cloudfront::ACCOUNT:function/NAME`, the ARN CreateFunction gives a function of this account. */
export function functionArn(ev: Evidence, name: string): string {
  const partition = ev.distribution.ARN.split(':')[1] ?? 'aws';
  return `arn:${partition}:cloudfront::${ev.account}:function/${name}`;
}
