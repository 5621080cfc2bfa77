// Who may act on what, as the server decides it (server/access.ts): a supervisor limited to some
// branches acts on those and their sub-branches, never on the bank as a whole. The pages only
// use it to offer or withhold a button; the server checks every action again.

/** The scope and its parents up to the bank, from the plan's branch tree. */
export function chainOf(plan, scope) {
  const chain = [];
  for (let s = scope, n = 0; s && n < 20; n++) {
    chain.push(s);
    s = plan?.branches.find((b) => b.code === s)?.parent;
  }
  return chain;
}

/** @param {{ mayAct: boolean, branches: string[]|null }} access */
export function mayActOn(access, plan, scope) {
  if (!access.mayAct) return false;
  if (!access.branches) return true;
  const chain = chainOf(plan, scope);
  return access.branches.some((b) => b !== 'ALL' && chain.includes(b));
}
