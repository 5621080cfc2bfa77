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

export type OpenFact = Pick<AlertRecord, 'kind' | 'level' | 'status' | 'openedAtMs' | 'complaintType'>;

/** the open alerts' kind, level, status and opening time: what the headline counts */
export function openFactsOf(records: Iterable<AlertRecord>): OpenFact[] {
  const out: OpenFact[] = [];
  for (const r of records) {
    if (!open(r)) continue;
    const { kind, level, status, openedAtMs, complaintType } = r;
    out.push({ kind, level, status, openedAtMs, complaintType });
  }
  return out;
}

export type ListStatus = 'open' | 'all' | 'existing' | 'withdrawn';

/**
 * Which alerts a list shows. 'all' is every alert, as the contract has it: a withdrawn one too
 * (status resolved, resolution withdrawn; a correction that takes an alert back is how a level
 * returns to ok from the outside, and an acknowledged case vanished from 'all' when its ticket
 * was re-typed, audit AC D1). An episode shown and then withdrawn never existed by the events, so
 * 'existing' lists the alerts that do, without them: a back-filled year's list is not buried
 * under episodes that never were (audit W F1: 2,732 of 4,092); 'withdrawn' lists them alone.
 */
export function listed(r: AlertRecord, status: ListStatus): boolean {
  if (status === 'open') return open(r);
  if (status === 'all') return true;
  return (r.resolution === 'withdrawn') === (status === 'withdrawn');
}
