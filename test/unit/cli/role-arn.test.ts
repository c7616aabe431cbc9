// `cf403 diagnose` and `cf403 scan` with `--role-arn` (issue 15): the role is assumed with the CLI's own
// credentials (session `cf403-cli-<command>`), then every read is signed with the role's session. End to end
// through the real SDK clients against a loopback endpoint.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliSessionName, resolveTarget, roleAccount } from '../../../cli/aws.ts';
import { EXIT } from '../../../cli/exit.ts';
import { cli, type FakeAws, type FakeRequest, fakeAws, KEYS, STACK_FRAME, sandbox } from './fake-aws.ts';

const ROLE = 'arn:aws:iam::222222222222:role/cf403-reader';

let server: FakeAws | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

/** The access key id that signed a request (SigV4 `Credential=<key>/...`). */
const keyOf = (r: FakeRequest) => /Credential=([^/]+)\//.exec(r.headers.authorization ?? '')?.[1];

const ASSUMED = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLESESSION</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/cf403-reader/cf403-cli-scan</Arn><AssumedRoleId>AROAEXAMPLE:cf403-cli-scan</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
const REFUSED = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}</Message></Error><RequestId>r2</RequestId></ErrorResponse>`;
const NO_DISTRIBUTIONS =
  '<?xml version="1.0"?><DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity></DistributionList>';

async function account(sts: 'assume' | 'refuse'): Promise<FakeAws> {
  server = await fakeAws((r) => {
    if (r.service === 'sts')
      return sts === 'assume'
        ? { status: 200, headers: { 'content-type': 'text/xml' }, body: ASSUMED }
        : { status: 403, headers: { 'content-type': 'text/xml' }, body: REFUSED };
    if (r.service === 'cloudfront')
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: NO_DISTRIBUTIONS };
    return { status: 500, body: 'unexpected' };
  });
  sandbox('', { ...KEYS, AWS_ENDPOINT_URL: server.url, AWS_REGION: 'us-east-1' });
  return server;
}

describe('--role-arn', () => {
  it('scan assumes the role with the caller credentials, then reads with the role session', async () => {
    const aws = await account('assume');
    const r = await cli(['scan', '--role-arn', ROLE, '--json']);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.code).toBe(EXIT.DONE);
    const sts = aws.requests.filter((q) => q.service === 'sts');
    expect(sts).toHaveLength(1);
    expect(keyOf(sts[0] as FakeRequest)).toBe('AKIDEXAMPLE');
    const body = new URLSearchParams(sts[0]?.body);
    expect(body.get('Action')).toBe('AssumeRole');
    expect(body.get('RoleArn')).toBe(ROLE);
    expect(body.get('RoleSessionName')).toBe('cf403-cli-scan');
    const reads = aws.requests.filter((q) => q.service === 'cloudfront');
    expect(reads.length).toBeGreaterThan(0);
    for (const q of reads) {
      expect(keyOf(q)).toBe('ASIAROLESESSION');
      expect(q.headers['x-amz-security-token']).toBe('role-token');
    }
    // STS was asked before anything was read
    expect(aws.requests[0]?.service).toBe('sts');
  });

  it('a refused AssumeRole stops the run before any read: what to grant, exit 3, no stack trace', async () => {
    const aws = await account('refuse');
    const r = await cli(['diagnose', '--distribution-id', 'E2QWRUHEXAMPLE', '--role-arn', ROLE]);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toContain(`cannot assume --role-arn ${ROLE}`);
    expect(r.stderr).toMatch(/sts:AssumeRole on the role, and the role must trust the caller/);
    expect(r.stdout).toBe('');
    expect(aws.requests.map((q) => q.service)).toEqual(['sts']);
    expect(new URLSearchParams(aws.requests[0]?.body).get('RoleSessionName')).toBe('cf403-cli-diagnose');
  });

  it('refuses what is not a role ARN, and a simulated account, before anything is read (exit 2)', async () => {
    const aws = await account('assume');
    const bad = await cli(['scan', '--role-arn', 'arn:aws:iam::222222222222:user/alice']);
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toMatch(/--role-arn arn:aws:iam::222222222222:user\/alice: expected an IAM role ARN/);
    const sim = await cli([
      'scan',
      '--scenario',
      'test/scenarios/origin-access-missing.json',
      '--role-arn',
      ROLE,
    ]);
    expect(sim.code).toBe(EXIT.USAGE);
    expect(sim.stderr).toMatch(/--role-arn cannot be used with it/);
    expect(aws.requests).toEqual([]);
  });

  it('names the session after the command and the account after the role', async () => {
    expect(cliSessionName('diagnose')).toBe('cf403-cli-diagnose');
    expect(roleAccount(ROLE)).toBe('222222222222');
    expect(roleAccount('arn:aws:iam::222222222222:role/path/to/reader')).toBe('222222222222');
    const target = await resolveTarget(
      { roleArn: ROLE, region: 'eu-west-1' },
      {},
      async () => undefined,
      'scan',
    );
    expect(target.role).toEqual({ arn: ROLE, sessionName: 'cf403-cli-scan' });
    const plain = await resolveTarget({ region: 'eu-west-1' }, {}, async () => undefined, 'scan');
    expect(plain.role).toBeUndefined();
  });
});
