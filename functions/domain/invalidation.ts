// Which paths to invalidate: the failing ones, or everything when there are many.
const MAX_PATHS = 15;

export function invalidationPaths(urls: readonly string[]): string[] {
  const paths = new Set<string>();
  for (const url of urls) {
    let p: string;
    try {
      p = new URL(url).pathname;
    } catch {
      continue;
    }
    // `*` is a wildcard only at the end; elsewhere it would be taken literally.
    paths.add(p.replace(/\*(?!$)/g, '%2A') || '/');
  }
  if (paths.size === 0 || paths.size > MAX_PATHS) return ['/*'];
  return [...paths].sort();
}
