// What a person checks before adopting a plan: per week its dates, and per type the week's share
// and the cumulative allowance (bank-wide), as plain text that reads in a terminal or a diff.

import type { CompiledPlan } from '../compile.ts';

function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

export function curveTable(plan: CompiledPlan): string {
  const types = plan.types;
  const head = ['week', 'from', 'to', ...types.flatMap((t) => [`${t.code} share%`, `${t.code} cum`])];
  const rows: string[][] = [head];
  const shares = types.map((t) => plan.cumulativeShare(t.code));
  plan.weeks.forEach((w, i) => {
    const cells = [String(w.index), localDate(w.startMs, plan.timezone), localDate(w.endMs - 1, plan.timezone)];
    types.forEach((t, k) => {
      const cum = shares[k]!;
      const share = (cum[i] ?? 0) - (i > 0 ? (cum[i - 1] ?? 0) : 0);
      cells.push((share * 100).toFixed(2), (t.annualAllowance * (cum[i] ?? 0)).toFixed(2));
    });
    rows.push(cells);
  });
  const widths = head.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  const total = types.map((t) => `${t.code} ${t.mode} annual ${t.annualAllowance}`).join('; ');
  return [`plan ${plan.year} (${plan.timezone}), ${plan.weeks.length} weeks; ${total}`, ...lines].join('\n');
}
