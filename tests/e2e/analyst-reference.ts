import type { TicketEvent } from '../../pipelines/model.ts';

// Independent, naive recomputation of the analyst views (sql/021, sql/022) from raw events, for
// tests/e2e/analyst.test.ts. Shares no code with the SQL or the pipeline. Local time is
// Asia/Shanghai, a fixed UTC+8 (no DST), so plain arithmetic gives local dates.

const LOCAL = 8 * 3_600_000;
const DAY = 86_400_000;

/** More variety than ticketStream has: some deadlines extended, some resolutions late. */
export function analystEvents(events: TicketEvent[]): TicketEvent[] {
  return events.map((e) => {
    const n = Number(e.ticketId.split('-T')[1] ?? 0);
    let out = e;
    if (n % 6 === 0 && e.kind === 'opened') out = { ...out, tags: { deadline: 'extended' } };
    if (n % 4 === 0 && e.kind === 'resolved') out = { ...out, occurredAt: new Date(Date.parse(e.occurredAt) + 14 * DAY).toISOString() };
    return out;
  });
}

function local(ms: number) {
  const d = new Date(ms + LOCAL);
  const year = d.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const doy = Math.floor((d.getTime() - jan1) / DAY);
  const wd = (new Date(jan1).getUTCDay() + 6) % 7; // Monday = 0
  return { year, month: d.getUTCMonth() + 1, week: Math.floor((doy + wd) / 7) + 1 };
}

const t = (e: TicketEvent) => Date.parse(e.occurredAt);
const later = (a: TicketEvent, b: TicketEvent | undefined) => !b || t(a) > t(b) || (t(a) === t(b) && a.eventId > b.eventId);
const earlier = (a: TicketEvent, b: TicketEvent | undefined) => !b || t(a) < t(b) || (t(a) === t(b) && a.eventId < b.eventId);

function distinct(events: readonly TicketEvent[]): TicketEvent[] {
  const m = new Map<string, TicketEvent>();
  for (const e of events) if (!m.has(e.eventId)) m.set(e.eventId, e);
  return [...m.values()];
}

function corrections(all: readonly TicketEvent[]) {
  const latest = new Map<string, TicketEvent>();
  const latestOutcome = new Map<string, TicketEvent>();
  for (const e of all) {
    if (e.kind !== 'corrected') continue;
    if (later(e, latest.get(e.ticketId))) latest.set(e.ticketId, e);
    if (e.outcome && later(e, latestOutcome.get(e.ticketId))) latestOutcome.set(e.ticketId, e);
  }
  return { latest, latestOutcome };
}

type Acc = Map<string, Record<string, number>>;
function bump(acc: Acc, k: string, col: string, by = 1) {
  const row = acc.get(k) ?? {};
  row[col] = (row[col] ?? 0) + by;
  acc.set(k, row);
}

function firstContacts(events: readonly TicketEvent[]) {
  const all = distinct(events);
  const { latest, latestOutcome } = corrections(all);
  return all.filter((e) => e.kind === 'first_contact').map((e) => ({
    ...local(t(e)),
    type: latest.get(e.ticketId)?.complaintType ?? e.complaintType,
    branch: latest.get(e.ticketId)?.branch ?? e.branch,
    outcome: latestOutcome.get(e.ticketId)?.outcome ?? e.outcome,
    customer: e.customerId,
  }));
}

export function refResolutionWeekly(events: readonly TicketEvent[]): Acc {
  const sets = new Map<string, { fc: Set<string>; na: Set<string> }>();
  for (const f of firstContacts(events)) {
    for (const scope of [f.branch, 'ALL']) {
      const k = `${f.year}|${f.week}|${f.type}|${scope}`;
      const s = sets.get(k) ?? { fc: new Set(), na: new Set() };
      s.fc.add(f.customer);
      if (f.outcome === 'not_agreed') s.na.add(f.customer);
      sets.set(k, s);
    }
  }
  return new Map([...sets].map(([k, s]) => [k, { first_contact_customers: s.fc.size, not_agreed_customers: s.na.size, one_time_resolution_rate: 1 - s.na.size / s.fc.size }]));
}

export function refCumulative(events: readonly TicketEvent[]): Acc {
  const first = new Map<string, { year: number; type: string; scope: string; week: number }>();
  for (const f of firstContacts(events)) {
    if (f.outcome !== 'not_agreed') continue;
    for (const scope of [f.branch, 'ALL']) {
      const k = `${f.year}|${f.type}|${scope}|${f.customer}`;
      const known = first.get(k);
      if (!known || f.week < known.week) first.set(k, { year: f.year, type: f.type, scope, week: f.week });
    }
  }
  const acc: Acc = new Map();
  for (const f of first.values()) bump(acc, `${f.year}|${f.week}|${f.type}|${f.scope}`, 'new_not_agreed_customers');
  for (const [k, row] of acc) {
    const [y, w, type, scope] = k.split('|');
    let cum = 0;
    for (const [k2, r2] of acc) {
      const [y2, w2, type2, scope2] = k2.split('|');
      if (y2 === y && type2 === type && scope2 === scope && Number(w2) <= Number(w)) cum += r2.new_not_agreed_customers!;
    }
    row.cumulative_not_agreed_customers = cum;
  }
  return acc;
}

interface Ticket {
  id: string; type: string; branch: string; customer: string; year: number; month: number; openedAt: number;
  resolvedAt?: number; extended: boolean; level: number; satisfaction?: number; fcOutcome?: string;
  /** the store has only corrections of it: customer, opening and deadline unknown */
  correctionsOnly: boolean;
}

function tickets(events: readonly TicketEvent[]): Ticket[] {
  const all = distinct(events);
  const { latest, latestOutcome } = corrections(all);
  const byTicket = new Map<string, TicketEvent[]>();
  for (const e of all) byTicket.set(e.ticketId, [...(byTicket.get(e.ticketId) ?? []), e]);
  const ladder = { case_meeting: 1, mediation: 2, management: 3 } as const;
  return [...byTicket].map(([id, es]) => {
    let firstEv: TicketEvent | undefined, fc: TicketEvent | undefined, rated: TicketEvent | undefined;
    for (const e of es) {
      if (e.kind !== 'corrected' && earlier(e, firstEv)) firstEv = e;
      if (e.kind === 'first_contact' && earlier(e, fc)) fc = e;
      if (e.kind === 'resolved' && e.satisfaction !== undefined && later(e, rated)) rated = e;
    }
    const opened = es.filter((e) => e.kind === 'opened').map(t);
    const openedAt = opened.length ? Math.min(...opened) : Math.min(...es.map(t));
    const resolved = es.filter((e) => e.kind === 'resolved').map(t);
    const { year, month } = local(openedAt);
    return {
      id, year, month, openedAt,
      type: latest.get(id)?.complaintType ?? firstEv!.complaintType,
      branch: latest.get(id)?.branch ?? firstEv!.branch,
      customer: firstEv?.customerId ?? '',
      correctionsOnly: firstEv === undefined,
      resolvedAt: resolved.length ? Math.min(...resolved) : undefined,
      extended: es.some((e) => e.tags?.deadline === 'extended'),
      level: Math.max(0, ...es.map((e) => (e.escalation ? ladder[e.escalation] : 0))),
      satisfaction: rated?.satisfaction,
      // as the counters and the case alerts: every first contact counts, with the latest
      // correction's outcome if one carries it; not agreed when any is
      fcOutcome: fc === undefined ? undefined
        : latestOutcome.get(id)?.outcome ?? (es.some((e) => e.kind === 'first_contact' && e.outcome === 'not_agreed') ? 'not_agreed' : fc.outcome),
    };
  });
}

const scopes = (tk: Ticket) => [tk.branch, 'ALL'];
const mkey = (tk: Ticket, scope: string) => `${tk.year}|${tk.month}|${tk.type}|${scope}`;

export function refRepeat(events: readonly TicketEvent[], days: number): Acc {
  const all = tickets(events).filter((tk) => !tk.correctionsOnly);
  const groups = new Map<string, Ticket[]>();
  for (const tk of all) groups.set(`${tk.customer}|${tk.type}`, [...(groups.get(`${tk.customer}|${tk.type}`) ?? []), tk]);
  const acc: Acc = new Map();
  for (const g of groups.values()) {
    g.sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
    g.forEach((tk, i) => {
      const prev = g[i - 1];
      const repeat = prev !== undefined && tk.openedAt - prev.openedAt <= days * DAY;
      for (const s of scopes(tk)) {
        bump(acc, mkey(tk, s), 'tickets');
        bump(acc, mkey(tk, s), 'repeat_tickets', repeat ? 1 : 0);
      }
    });
  }
  for (const row of acc.values()) row.repeat_rate = row.repeat_tickets! / row.tickets!;
  return acc;
}

export function refHandling(events: readonly TicketEvent[]): Acc {
  const acc: Acc = new Map();
  const secs = (ms: number) => Math.floor(ms / 1000);
  for (const tk of tickets(events).filter((x) => !x.correctionsOnly)) {
    const deadline = (tk.extended ? 30 : 15) * 86_400;
    const took = tk.resolvedAt === undefined ? undefined : secs(tk.resolvedAt) - secs(tk.openedAt);
    for (const s of scopes(tk)) {
      const k = mkey(tk, s);
      bump(acc, k, 'tickets');
      bump(acc, k, 'resolved', took === undefined ? 0 : 1);
      bump(acc, k, 'sum_days', took === undefined ? 0 : took / 86_400);
      bump(acc, k, 'resolved_in_time', took !== undefined && took <= deadline ? 1 : 0);
      bump(acc, k, 'resolved_late', took !== undefined && took > deadline ? 1 : 0);
      bump(acc, k, 'open_past_deadline', took === undefined ? 1 : 0); // every 2025 ticket is long past its deadline now
      bump(acc, k, 'extended_tickets', tk.extended ? 1 : 0);
    }
  }
  for (const row of acc.values()) {
    if (row.resolved! > 0) row.avg_days = row.sum_days! / row.resolved!;
    delete row.sum_days;
  }
  return acc;
}

export function refSatisfaction(events: readonly TicketEvent[]): Acc {
  const acc: Acc = new Map();
  for (const tk of tickets(events)) {
    if (tk.satisfaction === undefined) continue;
    for (const s of scopes(tk)) {
      const k = mkey(tk, s);
      bump(acc, k, 'rated_tickets');
      bump(acc, k, 'sum', tk.satisfaction);
      bump(acc, k, 'satisfied', tk.satisfaction >= 4 ? 1 : 0);
      bump(acc, k, 'dissatisfied_tickets', tk.satisfaction <= 2 ? 1 : 0);
    }
  }
  for (const row of acc.values()) {
    row.avg_satisfaction = row.sum! / row.rated_tickets!;
    row.satisfied_share = row.satisfied! / row.rated_tickets!;
    delete row.sum;
    delete row.satisfied;
  }
  return acc;
}

export function refEscalation(events: readonly TicketEvent[]): Acc {
  const acc: Acc = new Map();
  for (const tk of tickets(events)) {
    if (tk.fcOutcome !== 'not_agreed') continue;
    for (const s of scopes(tk)) {
      const k = mkey(tk, s);
      bump(acc, k, 'cases');
      bump(acc, k, 'reached_case_meeting', tk.level >= 1 ? 1 : 0);
      bump(acc, k, 'reached_mediation', tk.level >= 2 ? 1 : 0);
      bump(acc, k, 'reached_management', tk.level >= 3 ? 1 : 0);
    }
  }
  for (const row of acc.values()) row.reach_rate = row.reached_mediation! / row.cases!;
  return acc;
}
