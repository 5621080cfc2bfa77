// Types and branches as the counters hold them: small ints, each with its plan type index and its
// plan scopes resolved once. The strings are copied (never a slice of a page).

import type { PlanView } from './plan-view.ts';
import { flat } from './string-ids.ts';

export const NOT_A_PLAN_TYPE = -1;

export class PlanNames {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly typeIndexes: number[] = [];
  private readonly scopeIndexes: Array<readonly number[]> = [];

  /** plan type code → its index, scope → its index (plan order) */
  readonly typeIndex: ReadonlyMap<string, number>;
  readonly scopeIndex: ReadonlyMap<string, number>;

  constructor(private readonly plan: PlanView) {
    this.typeIndex = new Map(plan.types.map((t, i) => [t.code, i]));
    this.scopeIndex = new Map(plan.scopes.map((s, i) => [s, i]));
  }

  /** A type or branch string → its small int. */
  of(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      const own = flat(s);
      id = this.names.length;
      this.names.push(own);
      this.ids.set(own, id);
      this.typeIndexes.push(this.typeIndex.get(own) ?? NOT_A_PLAN_TYPE);
      const indices = this.plan.scopesOf(own).map((x) => this.scopeIndex.get(x));
      // A scope the plan does not list has no row to count in; repeats would count twice.
      this.scopeIndexes.push([...new Set(indices.filter((i): i is number => i !== undefined))]);
    }
    return id;
  }

  /** the plan type index of a name, or NOT_A_PLAN_TYPE */
  typeIndexOf(name: number): number {
    return this.typeIndexes[name] as number;
  }

  /** the plan scope indexes a branch name counts in */
  scopesOf(name: number): readonly number[] {
    return this.scopeIndexes[name] as readonly number[];
  }
}
