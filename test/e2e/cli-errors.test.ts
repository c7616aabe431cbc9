// Each way a real account can refuse the command line, end to end through the real SDK clients: the message
// names the next step, the exit code is the documented one, and no stack trace reaches the operator.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../cli/exit.ts';
import {
  cli,
  cloudFrontError,
  type FakeAws,
  fakeAws,
  jsonError,
  KEYS,
  STACK_FRAME,
  sandbox,
} from '../unit/cli/fake-aws.ts';

const ID = 'E2QWRUHEXAMPLE';
const ACCOUNT = '111122223333';
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/alice`;

let server: FakeAws | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

/** A fake CloudFront answering every request with `answer`, the environment pointed at it. */
async function cloudFront(answer: Parameters<typeof fakeAws>[0]): Promise<FakeAws> {
  server = await fakeAws(answer);
  sandbox('', { ...KEYS, AWS_ENDPOINT_URL: server.url });
  return server;
}

function clean(r: { stderr: string; stdout: string }): void {
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toBe('');
}

describe('credentials', () => {
  it('none configured: names --profile, aws sso login and the environment variables; exit 3', async () => {
    sandbox();
    const r = await cli(['diagnose', '--distribution-id', ID]);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/^cf403: no AWS credentials found/);
    expect(r.stderr).toMatch(/--profile NAME/);
    expect(r.stderr).toMatch(/aws sso login --profile NAME/);
    expect(r.stderr).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('the same from the installed command: a real process, exit 3, no stack trace', () => {
    const home = mkdtempSync(join(tmpdir(), 'cf403-cli-proc-'));
    const bin = fileURLToPath(new URL('../../bin/cf403.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'scan'], {
      encoding: 'utf-8',
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    expect(r.status).toBe(EXIT.REFUSED);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cf403: no AWS credentials found/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a profile that does not exist: names the profile and how to list them; exit 3', async () => {
    sandbox('[profile other]\nregion = eu-west-1\n');
    const r = await cli(['diagnose', '--distribution-id', ID, '--profile', 'prod']);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/profile 'prod' has no usable credentials/);
    expect(r.stderr).toMatch(/aws configure list-profiles/);
  });

  it('an expired SSO session: says to run aws sso login for that profile; exit 3', async () => {
    const startUrl = 'https://example.awsapps.com/start';
    const { home } = sandbox(
      [
        '[profile oncall]',
        `sso_start_url = ${startUrl}`,
        'sso_region = us-east-1',
        `sso_account_id = ${ACCOUNT}`,
        'sso_role_name = ReadOnly',
        'region = us-east-1',
        '',
      ].join('\n'),
    );
    // the AWS CLI's token cache: ~/.aws/sso/cache/<sha1 of the start URL>.json
    const cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, `${createHash('sha1').update(startUrl).digest('hex')}.json`),
      JSON.stringify({
        startUrl,
        region: 'us-east-1',
        accessToken: 'token',
        expiresAt: '2020-01-01T00:00:00Z',
      }),
    );
    const r = await cli(['scan', '--profile', 'oncall']);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/the AWS SSO session of profile 'oncall' has expired/);
    expect(r.stderr).toMatch(/Next: run `aws sso login --profile oncall`/);
  });

  it('expired session credentials (ExpiredToken): says to refresh them; exit 3', async () => {
    await cloudFront(() =>
      cloudFrontError(403, 'ExpiredToken', 'The security token included in the request is expired'),
    );
    const r = await cli(['diagnose', '--distribution-id', ID]);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/AWS says the credentials have expired \(ExpiredToken\)/);
    expect(r.stderr).toMatch(/aws sso login/);
    expect(r.stderr).toMatch(/AWS_SESSION_TOKEN/);
  });

  it('credentials AWS does not know (InvalidClientTokenId): exit 3', async () => {
    await cloudFront(() =>
      cloudFrontError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
    );
    const r = await cli(['scan']);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/AWS does not accept these credentials \(InvalidClientTokenId\)/);
  });
});

describe('permissions', () => {
  it('GetDistribution denied: names the action, the resource and the policy file; exit 3', async () => {
    await cloudFront(() =>
      cloudFrontError(
        403,
        'AccessDenied',
        `User: ${CALLER} is not authorized to perform: cloudfront:GetDistribution on resource: arn:aws:cloudfront::${ACCOUNT}:distribution/${ID} because no identity-based policy allows the cloudfront:GetDistribution action`,
      ),
    );
    const r = await cli(['diagnose', '--distribution-id', ID, '--json']);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toContain(
      `cf403: AWS refused cloudfront:GetDistribution on arn:aws:cloudfront::${ACCOUNT}:distribution/${ID} (AccessDenied)`,
    );
    expect(r.stderr).toMatch(/docs\/policies\/diagnose\.json/);
  });

  it('denied without AWS naming it: the action and resource come from the IAM table', async () => {
    await cloudFront(() => cloudFrontError(403, 'AccessDenied', 'Access denied'));
    const r = await cli(['scan']);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/AWS refused cloudfront:ListDistributions on \* \(AccessDenied\)/);
    expect(r.stderr).toMatch(/docs\/policies\/scan\.json/);
  });

  it('pending denied: names ssm:DescribeAutomationExecutions and the pending policy; exit 3', async () => {
    server = await fakeAws(() => jsonError(400, 'AccessDeniedException', 'not allowed'));
    sandbox('', { ...KEYS, AWS_ENDPOINT_URL_SSM: server.url, AWS_REGION: 'eu-west-1' });
    const r = await cli(['pending']);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/AWS refused ssm:DescribeAutomationExecutions on \* \(AccessDeniedException\)/);
    expect(r.stderr).toMatch(/docs\/policies\/pending\.json/);
    expect(server.requests[0]?.region).toBe('eu-west-1');
  });
});

describe('the account answers, but not what was asked', () => {
  it('a distribution id that does not exist: says so and how to list them; exit 2', async () => {
    await cloudFront(() =>
      cloudFrontError(404, 'NoSuchDistribution', 'The specified distribution does not exist.'),
    );
    const r = await cli(['diagnose', '--distribution-id', 'E1NOSUCHDIST00']);
    clean(r);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(
      /distribution E1NOSUCHDIST00 does not exist in the account of these credentials/,
    );
    expect(r.stderr).toMatch(/cf403 scan/);
  });

  it('an id that cannot be one is refused before any call; exit 2', async () => {
    const aws = await cloudFront(() => ({ status: 500 }));
    const r = await cli(['diagnose', '--distribution-id', 'd111111abcdef8.cloudfront.net']);
    clean(r);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/not a CloudFront distribution id \(that is a domain name/);
    expect(aws.requests).toEqual([]);
  });

  it('a throttled account: says to wait and run again; exit 3', async () => {
    await cloudFront(() => cloudFrontError(400, 'Throttling', 'Rate exceeded'));
    const r = await cli(['diagnose', '--distribution-id', ID]);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/AWS throttled GetDistribution \(Throttling\)/);
    expect(r.stderr).toMatch(/wait a minute and run again/);
  });

  it('no network: names the endpoint that did not answer; exit 3', async () => {
    // a port that was just free: nothing listens there
    const closed = await fakeAws(() => ({ status: 200 }));
    const url = closed.url;
    await closed.close();
    sandbox('', KEYS);
    const r = await cli(['diagnose', '--distribution-id', ID, '--endpoint-url', url]);
    clean(r);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(/cannot reach AWS: 127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)/);
    expect(r.stderr).toContain(`--endpoint-url ${url}`);
  });

  it('approve of an execution nobody waits on: points at cf403 pending; exit 2', async () => {
    server = await fakeAws(() => ({
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ AutomationExecutionMetadataList: [] }),
    }));
    sandbox('', { ...KEYS, AWS_ENDPOINT_URL: server.url });
    const r = await cli(['approve', 'exec-1', '--comment', 'ok']);
    clean(r);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/no approval is waiting for execution 'exec-1'/);
    expect(r.stderr).toMatch(/cf403 pending/);
  });
});

describe('bad usage: exit 2, naming the option', () => {
  it.each([
    [['diagnose'], /--distribution-id is required/],
    [
      ['diagnose', '--distribution-id', ID, '--json', '--output', 'table'],
      /--json and --output table cannot be used together/,
    ],
    [['scan', '--output', 'yaml'], /argument 'yaml' is invalid/],
    [['scan', '--fail-on', 'sometimes'], /--fail-on sometimes: expected 'any' or a confidence/],
    [['scan', '--region', 'mars-1'], /--region mars-1: expected a region/],
    [
      ['scan', '--endpoint-url', 'localhost:4566'],
      /--endpoint-url localhost:4566: expected an http\(s\) URL/,
    ],
    [
      ['scan', '--scenario', 'x.json', '--profile', 'prod'],
      /--scenario runs against a simulated account: --profile/,
    ],
  ])('%j', async (args, message) => {
    sandbox('', KEYS);
    const r = await cli(args);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a bad AWS_ENDPOINT_URL is named as the variable it came from', async () => {
    sandbox('', { ...KEYS, AWS_ENDPOINT_URL_CLOUDFRONT: 'not a url' });
    const r = await cli(['scan']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/AWS_ENDPOINT_URL_CLOUDFRONT not a url: expected an http\(s\) URL/);
  });
});
