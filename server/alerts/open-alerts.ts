import type { AlertRecord, Key } from '../../pipelines/rules/index.ts';

// Which keys and tickets the open alerts stand on: a re-derivation that must reach every open
// alert (a start, a plan change, the clock) asks for these besides its own.

const open = (r: AlertRecord) => r.status !== 'resolved';
const nameOf = (k: Key) => `${k.complaintType}|${k.scope}`;

export function openLevelKeys(records: Iterable<AlertRecord>): Key[] {
  const out: Key[] = [];
  for (const r of records) if (r.kind === 'level' && open(r)) out.push({ complaintType: r.complaintType, scope: r.scope });
  return out;
}

/** these keys and those of every open level alert, once each */
export function withOpenLevelKeys(records: Iterable<AlertRecord>, keys: readonly Key[]): Key[] {
  const byName = new Map(keys.map((k) => [nameOf(k), k]));
  for (const k of openLevelKeys(records)) byName.set(nameOf(k), k);
  return [...byName.values()];
}

/** these tickets and those of every open case alert */
export function withOpenCaseTickets(records: Iterable<AlertRecord>, tickets: Iterable<string>): Set<string> {
  const out = new Set(tickets);
  for (const r of records) if (r.kind === 'case' && open(r) && r.ticketId !== undefined) out.add(r.ticketId);
  return out;
}

export type ListStatus = 'open' | 'all' | 'withdrawn';

/**
 * Which alerts a list shows. 'all' is the alerts that exist; an episode shown and then withdrawn
 * (a correction, or late events that split episodes otherwise) never existed by the events: it
 * stays in the audit log and is listed on its own, so a back-filled year does not bury the list.
 */
export function listed(r: AlertRecord, status: ListStatus): boolean {
  if (status === 'open') return open(r);
  return (r.resolution === 'withdrawn') === (status === 'withdrawn');
}
