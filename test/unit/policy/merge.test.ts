import { describe, expect, it } from 'vitest';
import { PolicyParseError, type Statement } from '../../../functions/domain/policy/evaluate.ts';
import { findStatementSpans } from '../../../functions/domain/policy/json-spans.ts';
import {
  cloudFrontGrantStatement,
  kmsGrantStatement,
  mergeStatement,
  PolicyMergeError,
  replaceStatement,
  statementsEquivalent,
} from '../../../functions/domain/policy/merge.ts';

const DIST = 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE';
const grant = cloudFrontGrantStatement({ bucket: 'site', distributionArn: DIST });

const statementsOf = (text: string): unknown[] => {
  const doc = JSON.parse(text) as { Statement: unknown };
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
};

/** Everything up to the end of the last existing statement, and everything after it, is untouched. */
function expectSplicedAfterLast(before: string, after: string): void {
  const spans = findStatementSpans(before);
  const last = spans.elements.at(-1);
  if (!last) throw new Error('no statements');
  expect(after.slice(0, last.end)).toBe(before.slice(0, last.end));
  expect(after.endsWith(before.slice(last.end))).toBe(true);
}

describe('statement builders', () => {
  it('builds the documented OAC bucket-policy grant', () => {
    expect(grant).toEqual({
      Sid: 'AllowCloudFrontServicePrincipal',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::site/*',
      Condition: { StringEquals: { 'AWS:SourceArn': DIST } },
    });
  });

  it('scopes the grant to a key prefix', () => {
    for (const prefix of ['assets', '/assets', 'assets/']) {
      expect(cloudFrontGrantStatement({ bucket: 'site', distributionArn: DIST, prefix }).Resource).toBe(
        'arn:aws:s3:::site/assets/*',
      );
    }
  });

  it('builds the documented key-policy statement', () => {
    expect(kmsGrantStatement({ distributionArn: DIST })).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'AWS:SourceArn': DIST } },
    });
  });
});

describe('mergeStatement keeps every existing byte', () => {
  const pretty4 = `{
    "Version": "2012-10-17",
    "Id": "PolicyForSite",
    "Statement": [
        {
            "Sid": "DenyInsecure",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::site", "arn:aws:s3:::site/*"],
            "Condition": { "Bool": { "aws:SecureTransport": "false" } }
        },
        {
            "Sid": "Ops",
            "Effect": "Allow",
            "Principal": { "AWS": "arn:aws:iam::111122223333:role/Ops" },
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::site/*"
        }
    ]
}
`;
  const minified =
    '{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Ops"},"Action":"s3:*","Resource":"arn:aws:s3:::site/*"}]}';
  const escapes =
    '{"Version":"2012-10-17","Statement":[{"Sid":"Caf\\u00e9","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role\\/Ops"},"Action":"s3:*","Resource":"arn:aws:s3:::site/\\"quoted]\\" {x}/*"}]}';
  const crlf = pretty4.replace(/\n/g, '\r\n');
  const tabs =
    '{\n\t"Statement": [\n\t\t{\n\t\t\t"Effect": "Allow",\n\t\t\t"Principal": "*",\n\t\t\t"Action": "s3:GetObject",\n\t\t\t"Resource": "arn:aws:s3:::site/*"\n\t\t}\n\t],\n\t"Version": "2012-10-17"\n}';

  it.each([
    ['pretty printed (4 spaces)', pretty4],
    ['minified', minified],
    ['unicode and other escapes', escapes],
    ['CRLF line endings', crlf],
    ['tabs, Statement before Version', tabs],
  ])('%s', (_name, before) => {
    const out = mergeStatement(before, grant);
    expect(out.changed).toBe(true);
    expectSplicedAfterLast(before, out.policy);
    expect(statementsOf(out.policy)).toEqual([...statementsOf(before), grant]);
  });

  it('follows the document layout for the new statement', () => {
    const out = mergeStatement(pretty4, grant).policy;
    expect(out).toContain(
      `},\n        {\n            "Sid": "AllowCloudFrontServicePrincipal",\n            "Effect": "Allow",`,
    );
    expect(mergeStatement(minified, grant).policy).toBe(
      `${minified.slice(0, -2)},${JSON.stringify(grant)}]}`,
    );
    expect(mergeStatement(crlf, grant).policy.replace(/\r\n/g, '')).not.toContain('\n');
    expect(mergeStatement(tabs, grant).policy).toContain(
      '\n\t\t{\n\t\t\t"Sid": "AllowCloudFrontServicePrincipal",',
    );
  });

  it('turns a single Statement object into an array that keeps the object byte-for-byte', () => {
    const single =
      '{\n  "Version": "2012-10-17",\n  "Statement": {\n    "Effect": "Allow",  "Principal": "*",\n    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"\n  }\n}\n';
    const objectText = single.slice(single.indexOf('{', 10), single.lastIndexOf('}', single.length - 3) + 1);
    const out = mergeStatement(single, grant);
    expect(out.policy).toContain(`"Statement": [${objectText},\n  {`);
    expect(out.policy.endsWith('}]\n}\n')).toBe(true);
    expect(statementsOf(out.policy)).toEqual([JSON.parse(objectText), grant]);
    const minSingle =
      '{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}}';
    expect(mergeStatement(minSingle, grant).policy).toBe(
      `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"},${JSON.stringify(grant)}]}`,
    );
  });

  it('fills an empty Statement array', () => {
    expect(mergeStatement('{"Version":"2012-10-17","Statement":[]}', grant).policy).toBe(
      `{"Version":"2012-10-17","Statement":[${JSON.stringify(grant)}]}`,
    );
    const pretty = mergeStatement('{\n  "Version": "2012-10-17",\n  "Statement": [ ]\n}', grant).policy;
    expect(pretty.startsWith('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid"')).toBe(
      true,
    );
    expect(statementsOf(pretty)).toEqual([grant]);
  });

  it('edits the Statement JSON.parse would read when the key is duplicated', () => {
    const dup =
      '{"Statement":[{"Sid":"Ignored","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}],"Statement":[]}';
    const out = mergeStatement(dup, grant).policy;
    expect(out.startsWith(dup.slice(0, dup.lastIndexOf('[') + 1))).toBe(true);
    expect(statementsOf(out)).toEqual([grant]);
  });

  it('writes a statement with undefined members as the JSON it stands for', () => {
    const loose = { ...grant, Condition: undefined, Sid: undefined };
    const out = mergeStatement('{"Statement":[]}', loose);
    expect(out.policy).toBe(`{"Statement":[${JSON.stringify(loose)}]}`);
    expect(mergeStatement(out.policy, loose).changed).toBe(false);
  });

  it('creates a new document when there is no policy', () => {
    for (const none of [null, '', '  \n']) {
      const out = mergeStatement(none, grant);
      expect(out.changed).toBe(true);
      expect(JSON.parse(out.policy)).toEqual({ Version: '2012-10-17', Statement: [grant] });
    }
    expect(mergeStatement(null, grant, { indent: '' }).policy).toBe(
      JSON.stringify({ Version: '2012-10-17', Statement: [grant] }),
    );
  });
});

describe('mergeStatement never duplicates', () => {
  it('is idempotent', () => {
    const once = mergeStatement('{"Version":"2012-10-17","Statement":[]}', grant);
    const twice = mergeStatement(once.policy, grant);
    expect(twice).toEqual({ policy: once.policy, changed: false });
  });

  it('recognises an equivalent statement written differently', () => {
    const equivalent = {
      Sid: 'SomethingElse',
      Condition: { StringEquals: { 'aws:sourcearn': [DIST] } },
      Resource: ['arn:aws:s3:::site/*'],
      Action: ['S3:GetObject', 's3:getobject'],
      Principal: { Service: ['cloudfront.amazonaws.com'] },
      Effect: 'Allow',
    };
    const text = `{"Statement":[${JSON.stringify(equivalent)}]}`;
    expect(mergeStatement(text, grant)).toEqual({ policy: text, changed: false });
    expect(statementsEquivalent(equivalent, grant)).toBe(true);
  });

  it.each([
    ['another distribution', { ...grant, Condition: { StringEquals: { 'AWS:SourceArn': `${DIST}X` } } }],
    ['another bucket', { ...grant, Resource: 'arn:aws:s3:::other/*' }],
    ['no condition', { ...grant, Condition: undefined }],
    ['Deny', { ...grant, Effect: 'Deny' as const }],
  ])('does not mistake a statement with %s for the grant', (_name, s) => {
    expect(statementsEquivalent(s, grant)).toBe(false);
  });

  it('treats an account id and its :root ARN as the same principal', () => {
    const a: Statement = {
      Effect: 'Allow',
      Principal: { AWS: '111122223333' },
      Action: 'kms:*',
      Resource: '*',
    };
    const b: Statement = { ...a, Principal: { AWS: 'arn:aws:iam::111122223333:root' } };
    expect(statementsEquivalent(a, b)).toBe(true);
    expect(statementsEquivalent({ ...a, Principal: '*' }, { ...a, Principal: { AWS: '*' } })).toBe(true);
  });
});

describe('Sid clashes', () => {
  it('renames the new statement when its Sid is taken by a different statement', () => {
    const taken = { ...grant, Resource: 'arn:aws:s3:::old/*' };
    const out = mergeStatement(JSON.stringify({ Statement: [taken] }), grant);
    expect(statementsOf(out.policy)).toEqual([taken, { ...grant, Sid: 'AllowCloudFrontServicePrincipal2' }]);
  });

  it('keeps counting past Sids already used', () => {
    const s = (sid: string, bucket: string) => ({ ...grant, Sid: sid, Resource: `arn:aws:s3:::${bucket}/*` });
    const before = JSON.stringify({
      Statement: [s('AllowCloudFrontServicePrincipal', 'a'), s('AllowCloudFrontServicePrincipal2', 'b')],
    });
    const added = statementsOf(mergeStatement(before, grant).policy).at(-1);
    expect(added).toMatchObject({ Sid: 'AllowCloudFrontServicePrincipal3' });
  });
});

describe('replaceStatement', () => {
  const text = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "Keep1", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } },
    {
      "Sid": "AllowCloudFrontServicePrincipal",
      "Effect": "Allow",
      "Principal": { "Service": "cloudfront.amazonaws.com" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::site/*",
      "Condition": { "StringEquals": { "AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/EOLD" } }
    },
    {"Sid":"Keep3","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Ops"},"Action":"s3:*","Resource":"arn:aws:s3:::site/*"}
  ]
}`;

  it('replaces only that statement’s bytes', () => {
    const spans = findStatementSpans(text);
    const target = spans.elements[1];
    if (!target) throw new Error('no statement 1');
    const out = replaceStatement(text, 1, grant);
    expect(out.changed).toBe(true);
    expect(out.policy.slice(0, target.start)).toBe(text.slice(0, target.start));
    expect(out.policy.endsWith(text.slice(target.end))).toBe(true);
    const [first, second, third] = statementsOf(out.policy);
    expect(second).toEqual(grant);
    expect([first, third]).toEqual([statementsOf(text)[0], statementsOf(text)[2]]);
    expect(out.policy).toContain(
      '\n    {\n      "Sid": "AllowCloudFrontServicePrincipal",\n      "Effect": "Allow",',
    );
  });

  it('keeps a one-line statement on one line', () => {
    const out = replaceStatement(text, 2, { ...grant, Sid: 'Keep3' }).policy;
    expect(out).toContain(`    ${JSON.stringify({ ...grant, Sid: 'Keep3' })}\n  ]`);
  });

  it('is a no-op when the statement is already exactly that', () => {
    const once = replaceStatement(text, 1, grant).policy;
    expect(replaceStatement(once, 1, grant)).toEqual({ policy: once, changed: false });
  });

  it('avoids a Sid another statement uses', () => {
    const out = replaceStatement(text, 1, { ...grant, Sid: 'Keep1' });
    expect(statementsOf(out.policy)[1]).toMatchObject({ Sid: 'Keep12' });
  });

  it('replaces a single Statement object', () => {
    const single =
      '{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}}';
    expect(replaceStatement(single, 0, grant).policy).toBe(`{"Statement":${JSON.stringify(grant)}}`);
  });

  it('refuses an index with no statement', () => {
    expect(() => replaceStatement(text, 3, grant)).toThrow(PolicyMergeError);
  });
});

describe('errors', () => {
  it('rejects policy text that is not a policy', () => {
    expect(() => mergeStatement('{"Statement": [}', grant)).toThrow(PolicyParseError);
    expect(() => mergeStatement('[]', grant)).toThrow(PolicyParseError);
    expect(() => mergeStatement('{"Version":"2012-10-17"}', grant)).toThrow(PolicyParseError);
  });

  it('rejects a statement that is not a statement', () => {
    expect(() => mergeStatement(null, { Effect: 'Allow', Action: 's3:GetObject' })).toThrow(PolicyParseError);
  });
});

describe('mergeStatement on randomly formatted policies', () => {
  it('keeps the original text around the insertion, and the result parses to old + new', () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const ws = () => pick(['', ' ', '\n', '\n  ', '\t', '\r\n    ', '  \n\n ']);
    // Re-serialise JSON with random whitespace between tokens (the bytes a merge must not disturb).
    const render = (v: unknown): string => {
      if (Array.isArray(v)) return `[${ws()}${v.map(render).join(`${ws()},${ws()}`)}${ws()}]`;
      if (typeof v === 'object' && v !== null) {
        const members = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${render(x)}`);
        return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
      }
      const s = JSON.stringify(v);
      return typeof v === 'string' && rnd() < 0.3
        ? s.replace(/[/é]/g, (c) => (c === '/' ? '\\/' : '\\u00e9'))
        : s;
    };
    for (let i = 0; i < 200; i++) {
      const n = Math.floor(rnd() * 4);
      const statements = Array.from({ length: n }, (_, j) => ({
        Sid: pick(['AllowCloudFrontServicePrincipal', `S${j}`, 'Café']),
        Effect: pick(['Allow', 'Deny']),
        Principal: pick([
          '*',
          { AWS: 'arn:aws:iam::111122223333:role/R' },
          { Service: 'cloudfront.amazonaws.com' },
        ]),
        Action: pick(['s3:GetObject', ['s3:Get*', 's3:List*']]),
        Resource: pick(['arn:aws:s3:::site/*', 'arn:aws:s3:::other/*']),
      }));
      const single = n === 1 && rnd() < 0.5;
      const before = render({ Version: '2012-10-17', Statement: single ? statements[0] : statements });
      const out = mergeStatement(before, grant);
      expect(out.changed).toBe(true);
      const after = statementsOf(out.policy);
      expect(after.slice(0, n)).toEqual(statements);
      expect(after[n]).toMatchObject({
        ...grant,
        Sid: expect.stringMatching(/^AllowCloudFrontServicePrincipal\d*$/),
      });
      if (n > 0 && !single) expectSplicedAfterLast(before, out.policy);
      if (single) {
        const obj = findStatementSpans(before).statement;
        expect(out.policy.slice(obj.start + 1, obj.end + 1)).toBe(before.slice(obj.start, obj.end));
      }
      expect(mergeStatement(out.policy, grant).changed).toBe(false);
    }
  });
});
