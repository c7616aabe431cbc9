// The default stack (no context): event rule, functions, roles, storage, topic and cdk-nag.
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { VIEWER_CHECK } from '../../functions/domain/verification.ts';
import { stepMemoryMb } from '../../lib/workflow/step-function.ts';
import { CLOUDFRONT_WAIT, STEPS, type StepName, WAITING_STEPS } from '../../lib/workflow/steps.ts';
import {
  actionsOf,
  allowedActions,
  logicalId,
  type PolicyStatementJson,
  roleStatements,
  type Synthesized,
  synthesize,
} from './support.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});

const MUTATING = /^[a-z0-9-]+:(Put|Update|Create|Delete|Tag|Untag|Associate|Disassociate)/;
/** Actions every step has: writing its own logs and traces. */
const BASELINE = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

function artifactObjects(): unknown {
  return {
    'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(synth.stack.remediation.artifactBucket), 'Arn'] }, '/*']],
  };
}

function stepActions(step: StepName): string[] {
  return [...allowedActions(synth, step)].filter((a) => !BASELINE.has(a)).sort();
}

describe('alarm rule', () => {
  it('matches CloudFront 4xxErrorRate alarms entering ALARM, for any alarm name by default', () => {
    const rules = synth.template.findResources('AWS::Events::Rule');
    // The alarm rule, the approval relay's rule and the sweep's schedule.
    expect(Object.keys(rules)).toHaveLength(3);
    const rule = rules[logicalId(synth.stack.remediation.rule)];
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: {
        state: { value: ['ALARM'] },
        configuration: {
          metrics: {
            metricStat: {
              metric: {
                namespace: ['AWS/CloudFront'],
                name: ['4xxErrorRate', '403ErrorRate', 'TotalErrorRate'],
              },
            },
          },
        },
      },
    });
  });

  it('starts the state machine with the whole event and dead-letters undeliverable events', () => {
    const stateMachineId = logicalId(synth.stack.remediation.stateMachine);
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { Ref: stateMachineId },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalId(synth.stack.remediation.deadLetterQueue), 'Arn'] },
          },
          Input: Match.absent(),
          InputPath: Match.absent(),
          InputTransformer: Match.absent(),
        }),
      ],
    });
    synth.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('creates no alarms when no distributions are configured', () => {
    synth.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('state machine resource', () => {
  it('is STANDARD, traced, and logs ALL events without execution data (no task token, no evidence)', () => {
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
    });
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'),
      RetentionInDays: 30,
    });
  });
});

describe('step functions', () => {
  it('has one function per step, each on nodejs22.x arm64 with active tracing and its own log group', () => {
    for (const step of STEPS) {
      const fnId = logicalId(synth.stack.remediation.functions[step]);
      const fn = synth.template.findResources('AWS::Lambda::Function')[fnId];
      expect(fn, step).toBeDefined();
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        // the steps that wait for CloudFront wait inside one invocation, at the least memory (issue 13)
        MemorySize: stepMemoryMb(step),
        Handler: 'index.handler',
        // verify may watch the viewers' metrics for 10 minutes (issue 10)
        Timeout: WAITING_STEPS.has(step)
          ? CLOUDFRONT_WAIT.timeoutSeconds
          : step === 'verify'
            ? VIEWER_CHECK.timeoutSeconds
            : step === 'collect'
              ? 60
              : 30,
      });
      const logGroupRef = fn?.Properties.LoggingConfig.LogGroup;
      const logGroupId: unknown = logGroupRef?.Ref;
      expect(typeof logGroupId, step).toBe('string');
      expect(
        synth.template.findResources('AWS::Logs::LogGroup')[String(logGroupId)]?.Properties.RetentionInDays,
      ).toBe(30);
    }
    synth.template.resourceCountIs('AWS::Lambda::Function', STEPS.length);
  });

  it('gives every function the service name, artifact bucket, topic, table, approval settings and plan-only flag', () => {
    const bucketRef = { Ref: logicalId(synth.stack.remediation.artifactBucket) };
    const approverRole = synth.stack.remediation.approverRole;
    if (!approverRole) throw new Error('the default stack creates the approver role');
    for (const step of STEPS) {
      const fn =
        synth.template.findResources('AWS::Lambda::Function')[
          logicalId(synth.stack.remediation.functions[step])
        ];
      expect(fn?.Properties.Environment.Variables, step).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'cf403',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        CF403_ARTIFACT_BUCKET: bucketRef,
        CF403_TOPIC_ARN: { Ref: logicalId(synth.stack.remediation.topic) },
        CF403_APPROVAL_RISKS: 'destructive',
        CF403_PLAN_ONLY: 'false',
        CF403_TABLE_NAME: { Ref: logicalId(synth.stack.remediation.table) },
        CF403_APPROVAL_DOCUMENT: 'Cf403Remediation-Approval',
        CF403_APPROVERS: { 'Fn::GetAtt': [logicalId(approverRole), 'Arn'] },
        CF403_MIN_APPROVALS: '1',
        // 24 h approval + 2 h for the run after it.
        CF403_LOCK_SECONDS: '93600',
      });
    }
  });
});

describe('step permissions', () => {
  it('collect mutates nothing but its own artifact objects (beyond its logs and traces)', () => {
    const mutating = roleStatements(synth, 'collect').filter((s) =>
      actionsOf(s).some((a) => MUTATING.test(a) && !BASELINE.has(a)),
    );
    expect(mutating.flatMap(actionsOf)).toEqual(['s3:GetObject', 's3:PutObject']);
    for (const s of mutating) expect(s.Resource).toEqual(artifactObjects());
  });

  it('each step writes logs only to its own log group', () => {
    for (const step of STEPS) {
      const fn =
        synth.template.findResources('AWS::Lambda::Function')[
          logicalId(synth.stack.remediation.functions[step])
        ];
      const logGroupId: unknown = fn?.Properties.LoggingConfig.LogGroup.Ref;
      // writing logs; collect also reads the distribution's own access logs (issue 10)
      const logStatements = roleStatements(synth, step).filter((s) =>
        actionsOf(s).some((a) => /^logs:(Create|Put)/.test(a)),
      );
      expect(
        logStatements.map((s) => s.Resource),
        step,
      ).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
    }
  });

  it("collect reads standard logging (v2) deliveries, verify the viewers' metrics and alarm, in us-east-1", () => {
    expect(stepActions('collect')).toEqual(
      expect.arrayContaining([
        'logs:DescribeDeliverySources',
        'logs:DescribeDeliveries',
        'logs:GetDeliveryDestination',
        'logs:FilterLogEvents',
      ]),
    );
    expect(stepActions('verify').filter((a) => !a.startsWith('s3:'))).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
    ]);
    const alarms = roleStatements(synth, 'verify').find((s) =>
      actionsOf(s).includes('cloudwatch:DescribeAlarms'),
    );
    expect(JSON.stringify(alarms?.Resource)).toContain(':cloudwatch:us-east-1:');
    const groups = roleStatements(synth, 'collect').find((s) =>
      actionsOf(s).includes('logs:FilterLogEvents'),
    );
    expect(JSON.stringify(groups?.Resource)).toContain(':logs:us-east-1:');
    // an AWS managed key is recognised before any PutKeyPolicy
    expect(stepActions('apply')).toEqual(expect.arrayContaining(['kms:DescribeKey', 'kms:PutKeyPolicy']));
  });

  it('collect can read the distribution, origin bucket, key policy and web ACL', () => {
    expect(stepActions('collect')).toEqual(
      expect.arrayContaining([
        'cloudfront:GetDistribution',
        'cloudfront:GetOriginAccessControl',
        's3:GetBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        's3:GetAccountPublicAccessBlock',
        's3:GetObject',
        'kms:GetKeyPolicy',
        'wafv2:GetWebACL',
        'wafv2:GetIPSet',
      ]),
    );
  });

  it('only apply and rollback may change CloudFront, S3 bucket settings or key policies', () => {
    const changesOrigin = (a: string) =>
      /^cloudfront:(Update|Create(?!Invalidation)|Delete)/.test(a) ||
      /^s3:(Put|Delete)Bucket/.test(a) ||
      a === 'kms:PutKeyPolicy';
    for (const step of STEPS) {
      const changes = stepActions(step).filter(changesOrigin);
      if (step === 'apply' || step === 'rollback') expect(changes.length, step).toBeGreaterThan(0);
      else expect(changes, step).toEqual([]);
    }
    expect(stepActions('apply')).toEqual(
      expect.arrayContaining([
        'cloudfront:UpdateDistribution',
        'cloudfront:CreateOriginAccessControl',
        's3:PutBucketPolicy',
      ]),
    );
    expect(stepActions('rollback')).toEqual(
      expect.arrayContaining([
        'cloudfront:UpdateDistribution',
        'cloudfront:DeleteOriginAccessControl',
        's3:DeleteBucketPolicy',
      ]),
    );
    expect(stepActions('apply')).not.toContain('cloudfront:DeleteOriginAccessControl');
  });

  it('the polling and invalidation steps hold exactly one CloudFront action each', () => {
    expect(stepActions('checkDeployment')).toEqual(['cloudfront:GetDistribution']);
    expect(stepActions('invalidate')).toEqual(['cloudfront:CreateInvalidation']);
    expect(stepActions('checkInvalidation')).toEqual(['cloudfront:GetInvalidation']);
  });

  it('only classify, requestApproval, apply and notify publish, and only to the topic', () => {
    const topicRef = { Ref: logicalId(synth.stack.remediation.topic) };
    const publishers: readonly StepName[] = ['classify', 'requestApproval', 'apply', 'notify'];
    for (const step of STEPS) {
      const publishes = roleStatements(synth, step).filter((s) => actionsOf(s).includes('sns:Publish'));
      if (publishers.includes(step)) {
        expect(
          publishes.map((s) => s.Resource),
          step,
        ).toEqual([topicRef]);
      } else {
        expect(publishes, step).toEqual([]);
      }
    }
  });

  it('CloudFront actions are scoped to distribution ARNs of the account where the API allows it', () => {
    const distributionArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/*'],
      ],
    };
    const scoped = [
      'cloudfront:GetDistribution',
      'cloudfront:UpdateDistribution',
      'cloudfront:CreateInvalidation',
    ];
    for (const step of STEPS) {
      for (const s of roleStatements(synth, step)) {
        if (actionsOf(s).some((a) => scoped.includes(a))) expect(s.Resource, step).toEqual(distributionArn);
      }
    }
  });

  it('S3 access to origin buckets is limited to buckets of this account', () => {
    const isOriginBucketStatement = (s: PolicyStatementJson) =>
      JSON.stringify(s.Resource).includes(':s3:::*') && actionsOf(s).some((a) => a.startsWith('s3:'));
    const statements = STEPS.flatMap((step) => roleStatements(synth, step)).filter(isOriginBucketStatement);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(s.Condition).toEqual({ StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } });
    }
  });
});

describe('storage and notifications', () => {
  it('the artifact bucket is private, encrypted, versioned, logged, expiring and retained', () => {
    const bucketId = logicalId(synth.stack.remediation.artifactBucket);
    const bucket = synth.template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.any(String) } },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })],
      },
    });
    expect(bucket?.Properties.LoggingConfiguration.DestinationBucketName.Ref).not.toBe(bucketId);
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('the topic is KMS-encrypted with a rotating key and refuses publishing without TLS', () => {
    synth.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    synth.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(synth.app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement has a reason and matches a real finding', () => {
    // The same pack with acknowledgements ignored lists every finding.
    const raw = new AwsSolutionsChecks(undefined, {});
    Object.defineProperty(raw, 'isAcknowledged', { value: () => false });
    const findings = raw
      .validateScope(synth.app)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath })),
      );
    const acknowledgements = collectAcknowledgements(synth.app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.reason.length, ack.id).toBeGreaterThan(20);
      const used = findings.some(
        (f) => f.rule === ack.id && (f.path === ack.path || f.path?.startsWith(`${ack.path}/`)),
      );
      expect(used, `${ack.id} at ${ack.path} acknowledges nothing`).toBe(true);
    }
  });
});

function collectAcknowledgements(root: IConstruct): { id: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^Annotation::/i, ''),
          reason,
          path: c.node.path,
        })),
      ),
  );
}
