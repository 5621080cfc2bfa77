import { describeHolder, isEarlierRunOfMe, type LeaseHolder } from './lease-rules.ts';

// Who may count into a ClickHouse server that monitors reach through different NATS deployments:
// the pure rules of the store's presence table (sql/034; the I/O in presence.ts). The counting
// lease (lease-rules.ts) decides among the monitors of one NATS deployment; each deployment has a
// lease of its own, so two of them counted into one store twice over. Ages are ClickHouse's own
// clock (now64() less the row's written_at), never one host's clock compared with another's.

/** One monitor's presence as read back: its latest row, and its first by the store's clock. */
export interface PresenceRow {
  holder: LeaseHolder;
  /** the NATS deployment it counts from (presence.ts natsDeployment) */
  deployment: string;
  /** its latest row is the release of a clean stop */
  released: boolean;
  /** since its latest row, by ClickHouse's clock */
  ageMs: number;
  /** its first row, ms of ClickHouse's clock: who started counting first */
  firstMs: number;
}

export interface PresenceContext {
  me: LeaseHolder;
  deployment: string;
  aliveHere: (pid: number) => boolean;
  /** the lease's lifetime: a presence not written for this long is gone (SIGKILL, a lost host) */
  ttlMs: number;
}

/** Another live monitor that counts into this store through another NATS deployment. */
function countsBeside(row: PresenceRow, { me, deployment, aliveHere, ttlMs }: PresenceContext): boolean {
  if (row.released || row.ageMs >= ttlMs || row.deployment === deployment) return false;
  return row.holder.instance !== me.instance && !isEarlierRunOfMe(row.holder, me, aliveHere);
}

/** a presence stopped this long ago may be a holder whose writes the store refused (an outage) */
export const PRESENCE_DOUBT_MS = 60_000;

/**
 * At start: a holder from another deployment whose presence stopped less than a minute ago,
 * released by no clean stop. It may have stopped (SIGKILL, a lost host), or its writes may have
 * failed because the store was away: right after an outage every holder's rows are old. The start
 * asks again once the holder has had two renewals to write (presence.ts).
 */
export function doubtAtStart(rows: readonly PresenceRow[], context: PresenceContext): boolean {
  const older = { ...context, ttlMs: context.ttlMs + PRESENCE_DOUBT_MS };
  return rows.some((row) => row.ageMs >= context.ttlMs && countsBeside(row, older));
}

/** At start, with the NATS lease held: the holder that refuses this start, if any (the freshest). */
export function decideStartPresence(rows: readonly PresenceRow[], context: PresenceContext): LeaseHolder | undefined {
  const others = rows.filter((row) => countsBeside(row, context)).sort((a, b) => a.ageMs - b.ageMs);
  return others[0]?.holder;
}

/**
 * At a renewal: the holder this monitor yields to, if any. Two that started together both passed
 * the start's check; the one that counted first by the store's clock keeps counting, a tie goes to
 * the smaller instance id, so exactly one of two yields. Without a row of its own (its writes
 * fail), this monitor is the later one: the other cannot see it either, and keeps counting.
 */
export function decideRenewalPresence(rows: readonly PresenceRow[], context: PresenceContext): LeaseHolder | undefined {
  const mine = rows.find((row) => row.holder.instance === context.me.instance && !row.released);
  const myFirstMs = mine?.firstMs ?? Infinity;
  const before = (row: PresenceRow) => row.firstMs < myFirstMs || (row.firstMs === myFirstMs && row.holder.instance < context.me.instance);
  const earlier = rows.filter((row) => countsBeside(row, context) && before(row)).sort((a, b) => a.firstMs - b.firstMs);
  return earlier[0]?.holder;
}

/** A row of presence.ts's read, as ClickHouse's JSON gives it (64-bit numbers quoted); undefined if not one. */
export function presenceRow(raw: Record<string, unknown>): PresenceRow | undefined {
  const { instance, host, data_dir, pid, started_at, nats_deployment, released, age_ms, first_ms } = raw;
  if (typeof instance !== 'string' || typeof host !== 'string' || typeof data_dir !== 'string') return undefined;
  const holder = { host, dataDir: data_dir, pid: Number(pid), startedAt: String(started_at), instance };
  const [ageMs, firstMs] = [Number(age_ms), Number(first_ms)];
  if (!Number.isFinite(ageMs) || !Number.isFinite(firstMs)) return undefined;
  return { holder, deployment: String(nats_deployment), released: Number(released) === 1, ageMs, firstMs };
}

/** The one error line (and health's message) when the presence refuses or ends this monitor's counting (lease.ts). */
export function presenceEndMessage(state: 'refused' | 'lost', key: string, holder: LeaseHolder | undefined, graceMs: number, exitCode: number): string {
  const whose = `another monitor counts into this ClickHouse (${key}) through another NATS deployment (${describeHolder(holder)})`;
  const why = 'only one counting monitor may run per ClickHouse store, and the counting lease in NATS cannot see a monitor on another NATS deployment';
  if (state === 'refused') {
    return `${whose}: ${why}; this one does not consume and exits in ${Math.round(graceMs / 1000)} s with code ${exitCode}, for its restart policy to try again`;
  }
  return `${whose} and started counting first: ${why}; this one stops consuming and exits with code ${exitCode}`;
}
