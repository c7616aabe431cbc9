// The pieces of the CLI's messages and reports: refused reads named as IAM names them, failures explained,
// --fail-on levels, Markdown cells, the status line.
import { describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../../cli/exit.ts';
import { explainFailure, rootCause } from '../../../cli/failure.ts';
import { iamNamer } from '../../../cli/iam.ts';
import { cell, failing, markdownTable, parseFailOn } from '../../../cli/output.ts';
import { callStatus, statusLine } from '../../../cli/progress.ts';
import type { RecordedCall } from '../../../cli/recorder.ts';
import { deniedInMessage, describeRefusal, isRefused, refusals } from '../../../cli/refusals.ts';
import { AwsCallError } from '../../../functions/errors.ts';

function sdkError(name: string, status: number, message = 'x'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function call(operation: string, input: Record<string, unknown>, error?: unknown): RecordedCall {
  const service = operation === 'GetDistribution' ? 'cloudfront' : 's3';
  return { service, operation, input, error, done: true };
}

describe('refused reads', () => {
  it("take AWS's own words when it gives them (S3 quotes the resource)", () => {
    expect(
      deniedInMessage(
        'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: s3:GetBucketPolicy on resource: "arn:aws:s3:::site" because no identity-based policy allows the s3:GetBucketPolicy action',
      ),
    ).toEqual({ action: 's3:GetBucketPolicy', resource: 'arn:aws:s3:::site' });
    expect(deniedInMessage('Access Denied')).toBeUndefined();
  });

  it('come from the IAM table otherwise; a bare 403 on HEAD may be a missing key without s3:ListBucket', () => {
    const head = call(
      'HeadObject',
      { Bucket: 'site', Key: 'a.html' },
      sdkError('Unknown', 403, 'UnknownError'),
    );
    const [r] = refusals([head], iamNamer, { account: '111122223333', region: 'us-east-1' });
    expect(r && describeRefusal(r)).toBe(
      's3:GetObject on arn:aws:s3:::site/a.html or s3:ListBucket on arn:aws:s3:::site (403 Forbidden)',
    );
  });

  it('are access denials and exhausted throttling, not answers such as NoSuchBucketPolicy or expired tokens', () => {
    expect(isRefused(sdkError('AccessDenied', 403))).toBe(true);
    expect(isRefused(sdkError('ThrottlingException', 400))).toBe(true);
    expect(isRefused(sdkError('NoSuchBucketPolicy', 404))).toBe(false);
    expect(isRefused(sdkError('ExpiredToken', 403))).toBe(false);
  });

  it('are listed once per action and resource', () => {
    const denied = sdkError('AccessDenied', 403);
    const calls = [
      call('GetBucketAcl', { Bucket: 'b' }, denied),
      call('GetBucketAcl', { Bucket: 'b' }, denied),
    ];
    expect(refusals(calls, iamNamer, { account: '1', region: 'us-east-1' })).toHaveLength(1);
  });
});

describe('explainFailure', () => {
  it('finds the SDK error behind step errors', () => {
    const sdk = sdkError('AccessDenied', 403);
    expect(rootCause(new AwsCallError('GetDistribution E1', { cause: sdk }))).toBe(sdk);
  });

  it('a timeout is a network problem; exit 3', () => {
    const e = explainFailure(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), {
      command: 'scan',
    });
    expect(e.exitCode).toBe(EXIT.REFUSED);
    expect(e.message).toMatch(/^cannot reach AWS: the AWS endpoint did not answer in time \(TimeoutError\)/);
  });

  it('an AWS answer it does not understand: exit 1, the answer, no stack trace', () => {
    const err = new AwsCallError('GetDistribution E1', { cause: sdkError('InvalidArgument', 400, 'bad id') });
    const e = explainFailure(err, { command: 'diagnose' });
    expect(e).toEqual({
      exitCode: EXIT.INTERNAL,
      message: 'AWS answered a call with InvalidArgument: bad id',
    });
  });

  it('a bug of its own: exit 1 with the stack, to report it', () => {
    const e = explainFailure(new TypeError('x is undefined'), { command: 'diagnose' });
    expect(e.exitCode).toBe(EXIT.INTERNAL);
    expect(e.message).toMatch(/^internal error: TypeError: x is undefined\n\s+at /);
  });
});

describe('--fail-on', () => {
  const causes = [
    { id: 'OAC_MISCONFIGURED' as const, confidence: 0.6, summary: '', evidence: [] },
    { id: 'DISTRIBUTION_DISABLED' as const, confidence: 0.9, summary: '', evidence: [] },
  ];

  it('any, or a confidence from 0 to 1', () => {
    expect(failing(causes, parseFailOn('any'))).toHaveLength(2);
    expect(failing(causes, parseFailOn('0.7')).map((c) => c.id)).toEqual(['DISTRIBUTION_DISABLED']);
    expect(failing(causes, undefined)).toEqual([]);
    for (const bad of ['', '1.5', '-1', 'high']) expect(() => parseFailOn(bad)).toThrow(/--fail-on/);
  });
});

describe('Markdown', () => {
  it('escapes pipes and line breaks inside cells', () => {
    expect(cell('a|b\nc')).toBe('a\\|b<br>c');
    expect(markdownTable(['A', 'B'], [['1', 'x|y']])).toBe('| A | B |\n| --- | --- |\n| 1 | x\\|y |');
  });
});

describe('the status line', () => {
  it('redraws one line cut to the terminal, and clears it at the end', () => {
    const tty = { isTTY: true, columns: 30, write: vi.fn() };
    const line = statusLine(tty, true);
    const status = callStatus(line);
    const c = call('GetBucketPolicy', { Bucket: 'a-bucket-with-a-rather-long-name' });
    status.started(c);
    status.ended(c);
    line.done();
    const writes = tty.write.mock.calls.map((w) => String(w[0]));
    expect(writes[0]).toBe('\r\x1b[2Kchecking s3 GetBucketPolicy …');
    // the 29 columns of a 30-column terminal after the control sequence
    expect(writes[0]?.length).toBe(5 + 29);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('writes nothing off a terminal, or when disabled (JSON)', () => {
    const pipe = { isTTY: false, write: vi.fn() };
    statusLine(pipe, true).set('x');
    const tty = { isTTY: true, write: vi.fn() };
    statusLine(tty, false).set('x');
    expect(pipe.write).not.toHaveBeenCalled();
    expect(tty.write).not.toHaveBeenCalled();
  });
});
