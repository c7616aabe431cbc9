// Refusals that look deliberate: what scanners probe, admin areas, checks of a header, token or address.
// A control refusing such requests is doing its job; the report says so and proposes no change.

/** Paths vulnerability scanners probe on every site: CMS logins, server scripts, secrets, dumps. */
const SCANNER: readonly [RegExp, string][] = [
  [
    /(^|\/)(wp-(admin|login|content|includes|json)|wordpress|xmlrpc\.php|wlwmanifest\.xml)/i,
    'WordPress probe',
  ],
  [/(^|\/)(phpmyadmin|pma|myadmin|adminer|phpinfo)/i, 'database admin probe'],
  [
    /(^|\/)\.(env|git|svn|hg|aws|ssh|docker|vscode|idea|DS_Store|htaccess|htpasswd)(\/|$|\.)/i,
    'hidden file probe',
  ],
  [
    /(^|\/)(cgi-bin|server-status|server-info|actuator|HNAP1|boaform|owa|autodiscover|solr|telescope|vendor\/phpunit)(\/|$)/i,
    'server software probe',
  ],
  [/\.(php\d?|asp|aspx|jsp|cgi|pl|sql|bak|old|swp)$/i, 'server script or dump probe'],
];

/** Areas sites keep closed on purpose. */
const RESTRICTED =
  /(^|\/)(admin|administrator|internal|private|staff|backoffice|manage|management)(\/|$|\.)/i;

/** What kind of scanner probe the path is, or undefined for a path a real visitor might ask for. */
export function scannerProbe(path: string): string | undefined {
  for (const [re, what] of SCANNER) if (re.test(path)) return what;
  return undefined;
}

/** Why refusing this path looks deliberate (scanner probe, admin area), or undefined. */
export function deliberatePath(path: string): string | undefined {
  const probe = scannerProbe(path);
  if (probe) return `a ${probe}`;
  if (RESTRICTED.test(path)) return 'an admin or private area';
  return undefined;
}

/** When every path is one a site refuses on purpose: the sentence that says so. */
export function allDeliberate(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const whys = paths.map((p) => ({ p, why: deliberatePath(p) }));
  if (whys.some((w) => w.why === undefined)) return undefined;
  const unique = [...new Set(whys.map((w) => `${w.p} (${w.why})`))];
  return `every refused path is one sites refuse on purpose: ${unique.slice(0, 5).join(', ')}${unique.length > 5 ? ', ...' : ''}`;
}

// What a function's code compares before it answers: a credential, a shared secret, the viewer's address.
const CHECKS: readonly [RegExp, string][] = [
  [/authorization|basic\s|www-authenticate/i, 'an Authorization header (basic auth)'],
  [/x-api-key|api[-_]?key/i, 'an API key'],
  [/secret|password|passwd/i, 'a shared secret'],
  [/token|signature|hmac/i, 'a token'],
  [/viewer\.ip|cloudfront-viewer-address|x-forwarded-for/i, "the viewer's IP address"],
  [/cloudfront-viewer-country/i, "the viewer's country"],
  [/user-agent/i, 'the User-Agent'],
];

/** What an access check in a CloudFront Function's code compares, when it has one. */
export function codeChecks(code: string | undefined): string | undefined {
  if (!code) return undefined;
  // Only code that answers 401/403 itself is an access check.
  if (!/statusCode\s*:\s*['"]?(401|403)/.test(code)) return undefined;
  const found = CHECKS.filter(([re]) => re.test(code)).map(([, what]) => what);
  // Any other request header the code reads (a shared-secret header such as x-preview-key).
  for (const m of code.matchAll(/headers\s*(?:\[\s*['"]([\w-]+)['"]\s*\]|\.([a-z][\w]*))/gi)) {
    const name = (m[1] ?? m[2] ?? '').toLowerCase();
    if (name !== '' && name !== 'host' && !found.some((f) => f.includes(name)))
      found.push(`the ${name} header`);
  }
  return found.length > 0 ? [...new Set(found)].join(', ') : undefined;
}

/** The recommendation for a deliberate refusal: no change, and what to look at only if it is not. */
export function deliberateAdvice(what: string, why: string, ifNot: string): string {
  return `Likely intentional: ${what} refuses these requests on purpose (${why}). No change is proposed. Only if these requests should be served: ${ifNot}.`;
}
