import type { Monitor } from '../monitor.ts';
import type { GatewayMessage } from './gateway-notice.ts';
import type { LateNoticeContext } from './late-notice.ts';
import {
  loadUnsent, RESEND_WITHIN_MS, sentRow, sortUnsent, type OutboxRow, type Sorted, type UnsentNotice,
} from './notice-outbox.ts';

// At start, under the counting lease, before anything is derived: the notices an earlier run
// (this store's, any monitor's) wrote in the last day and never saw the broker take, sorted into
// those sent again late and those never to be sent (notice-outbox.ts sortUnsent).

export interface UnsentAtStart {
  /** to send again, oldest first, each marked as a late copy */
  resend: GatewayMessage[];
  /** outbox marks of the notices never to be sent (their change never logged, or superseded) */
  drops: OutboxRow[];
  /** what was found, for the start's log line */
  found: { notices: number; more: number; neverLogged: number; superseded: number };
}

/**
 * The earlier runs' unsent notices, or undefined when there are none. The clock is read when the
 * window is set and again when the drops are marked, after the outbox was read.
 */
export async function unsentAtStart(
  client: Monitor['clickhouse'],
  late: LateNoticeContext | undefined,
  now: () => number,
): Promise<UnsentAtStart | undefined> {
  const since = now() - RESEND_WITHIN_MS;
  const { messages, more } = await loadUnsent(client, since);
  if (messages.length === 0) return undefined;
  const { resend, unlogged, superseded } = await sortInSlices(client, messages, since, late);
  const atMs = now();
  const drops: OutboxRow[] = [];
  for (const m of unlogged) drops.push(sentRow(m, atMs, 'dropped'));
  for (const m of superseded) drops.push(sentRow(m, atMs, 'dropped'));
  const found = { notices: resend.length, more, neverLogged: unlogged.length, superseded: superseded.length };
  return { resend, drops, found };
}

/** sortUnsent a thousand at a time: a server takes the ids as query parameters in the URL */
async function sortInSlices(
  client: Monitor['clickhouse'],
  messages: readonly UnsentNotice[],
  sinceMs: number,
  late?: LateNoticeContext,
): Promise<Sorted> {
  const all: Sorted = { resend: [], unlogged: [], superseded: [] };
  for (let from = 0; from < messages.length; from += 1_000) {
    const part = await sortUnsent(client, messages.slice(from, from + 1_000), sinceMs, late);
    for (const key of ['resend', 'unlogged', 'superseded'] as const) {
      for (const m of part[key]) (all[key] as GatewayMessage[]).push(m);
    }
  }
  return all;
}
