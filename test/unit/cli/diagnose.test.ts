import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidUrlError, renderDiagnosis, runDiagnose } from '../../../cli/diagnose.ts';
import { FetchProber } from '../../../functions/adapters/prober.ts';
import { DistributionNotFoundError } from '../../../functions/errors.ts';
import { simulationDeps } from '../../../sim/runner/simulate.ts';
import { parseScenario } from '../../../sim/scenario/validate.ts';
import { World } from '../../../sim/world/index.ts';

const MUTATING = /^(Create|Update|Put|Delete|Associate|Disassociate|Tag|Untag|Publish|Send|Start|Stop|Test)/;
const READ_ONLY_EXCEPTIONS = new Set(['TestFunctionCommand']);

/** A world whose clients refuse, loudly, any command that could change the account. */
function readOnlyClients(world: World) {
  const { clients } = simulationDeps(world);
  const sent: string[] = [];
  for (const client of Object.values(clients)) {
    // per-region factories (kmsIn) are not clients
    if (typeof client !== 'object') continue;
    (client.middlewareStack as { addRelativeTo: (mw: unknown, opts: unknown) => void }).addRelativeTo(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const name = context.commandName ?? '';
          sent.push(name);
          if (MUTATING.test(name) && !READ_ONLY_EXCEPTIONS.has(name))
            throw new Error(`diagnose sent a mutating command: ${name}`);
          return next(args);
        },
      { relation: 'before', toMiddleware: 'cf403World', name: 'readOnlyGuard' },
    );
  }
  return { clients, sent };
}

let server: Server;
let base: string;

beforeAll(async () => {
  // Answers like an S3 REST origin that refuses CloudFront (through CloudFront).
  server = createServer((_req, res) => {
    res.writeHead(403, {
      server: 'AmazonS3',
      'x-cache': 'Error from cloudfront',
      'x-amz-request-id': 'R1',
      'content-type': 'application/xml',
    });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId><HostId>H</HostId></Error>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function account() {
  const sc = parseScenario(
    JSON.parse(
      readFileSync(
        new URL('../../../../shared/scenarios/bucket-policy-grant-missing.json', import.meta.url),
        'utf-8',
      ),
    ),
  );
  const dist = sc.cloudfront.distributions[0];
  if (dist) dist.DomainName = '127.0.0.1';
  return new World(sc);
}

describe('cf403 diagnose', () => {
  it('diagnoses from the account and a live probe, sending no mutating command', async () => {
    const world = account();
    const { clients, sent } = readOnlyClients(world);
    const result = await runDiagnose(clients, new FetchProber(5000), {
      distributionId: 'E2QWRUHEXAMPLE',
      urls: [`${base}/index.html`],
      region: 'us-east-1',
    });
    expect(result.diagnosis.causes[0]?.id).toBe('BUCKET_POLICY_GRANT_MISSING');
    expect(result.probes[0]).toMatchObject({
      status: 403,
      server: 'AmazonS3',
      fingerprint: { kind: 's3-access-denied' },
    });
    expect(sent.length).toBeGreaterThan(5);
    expect(sent.filter((n) => MUTATING.test(n) && !READ_ONLY_EXCEPTIONS.has(n))).toEqual([]);
    expect(world.calls.every((c) => !/^(Put|Update|Create|Delete)/.test(c.api))).toBe(true);
    expect(renderDiagnosis(result)).toMatch(/1\. BUCKET_POLICY_GRANT_MISSING/);
  });

  it('names a distribution that does not exist, and a URL that is not one', async () => {
    const { clients } = readOnlyClients(account());
    await expect(
      runDiagnose(clients, new FetchProber(1000), {
        distributionId: 'ENOSUCHDIST1',
        urls: [],
        region: 'us-east-1',
      }),
    ).rejects.toThrow(DistributionNotFoundError);
    await expect(
      runDiagnose(clients, new FetchProber(1000), {
        distributionId: 'E2QWRUHEXAMPLE',
        urls: ['ftp://x'],
        region: 'us-east-1',
      }),
    ).rejects.toThrow(InvalidUrlError);
  });
});
