// The names of the year before's types and branches, for the cases carried across the New Year
// (carried-year.ts): a type or a branch that the loaded plan dropped still has its name in the
// plan last stored in force for that year (plan_in_force, sql/028). Notices are ready-made words
// a gateway sends as they are (docs/ALERTS.md): a 2025 case whose type the 2026 plan dropped read
// `wealth_mgmt · 上海分行`, one whose branch it dropped `代理保险争议 · HZ` (verify CR2).
// The loaded plan's names come first: a name changed for the new year is the one people now use.

export interface PlanNames {
  types: ReadonlyMap<string, string>;
  branches: ReadonlyMap<string, string>;
}

const NONE: PlanNames = { types: new Map(), branches: new Map() };

/** The codes and names of a stored plan (its JSON as plan_in_force keeps it); none from what does not parse. */
export function namesOfStoredPlan(json: unknown): PlanNames {
  let plan: unknown = json;
  if (typeof json === 'string') {
    try {
      plan = JSON.parse(json);
    } catch {
      return NONE;
    }
  }
  const pairs = (list: unknown) => new Map((Array.isArray(list) ? list : [])
    .filter((x): x is { code: string; name: string } => typeof x?.code === 'string' && typeof x?.name === 'string' && x.name !== '')
    .map((x) => [x.code, x.name]));
  const p = (plan ?? {}) as { types?: unknown; branches?: unknown };
  return { types: pairs(p.types), branches: pairs(p.branches) };
}

// Set at each start from the store (loadCarried), read by the notice words: kept per year, so a
// plan swapped at runtime for the same year finds them, and a plan of another year never does.
const byYear = new Map<number, PlanNames>();

/** What the year's stored plan names (undefined: none stored, or not read); replaces what was there. */
export function rememberYearNames(year: number, names: PlanNames | undefined): void {
  if (names) byYear.set(year, names);
  else byYear.delete(year);
}

/** The names of the year before a plan's year, as last remembered (none when nothing is). */
export function yearBeforeNames(planYear: number): PlanNames {
  return byYear.get(planYear - 1) ?? NONE;
}
