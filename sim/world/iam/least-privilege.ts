// Least privilege, measured: what each step's role is granted against what the step was seen to ask IAM for.
import type { IamUse } from '../gate.ts';
import type { StepIdentity } from './roles.ts';

export interface PrivilegeRow {
  step: string;
  /** actions (or action patterns) the role's Allow statements grant */
  granted: string[];
  /** distinct actions the step was seen to ask IAM for */
  used: string[];
  /** granted and never asked for */
  unused: string[];
  /** asked for and not granted (denied calls) */
  missing: string[];
}

function asList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function matches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(action);
}

/** Every action an identity's Allow statements name (as written: patterns stay patterns). */
export function grantedActions(identity: Pick<StepIdentity, 'policies'>): string[] {
  const out = new Set<string>();
  for (const p of identity.policies) {
    const statements = [(p.document as { Statement?: unknown }).Statement].flat();
    for (const s of statements as (Record<string, unknown> | undefined)[]) {
      if (s?.Effect !== 'Allow') continue;
      for (const a of asList(s.Action)) out.add(a);
    }
  }
  return [...out].sort();
}

export function leastPrivilege(
  identities: Readonly<Record<string, StepIdentity>>,
  usage: readonly IamUse[],
  folders: Readonly<Record<string, string>>,
): PrivilegeRow[] {
  return Object.entries(identities).map(([step, identity]) => {
    const folder = folders[step] ?? step;
    const used = [...new Set(usage.filter((u) => u.step === folder).map((u) => u.action))].sort();
    const granted = grantedActions(identity);
    return {
      step: folder,
      granted,
      used,
      unused: granted.filter((g) => !used.some((u) => matches(g, u))),
      missing: used.filter((u) => !granted.some((g) => matches(g, u))),
    };
  });
}
