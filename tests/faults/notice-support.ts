import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { expect } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, type MonitorProcess } from '../helpers/monitor-process.ts';
import { until } from './support.ts';

// Shared by the fault tests of gateway notices: new cases of the test plan's strict type (one
// case alert, one notice each), published one after another, and the gateway's record of what
// the broker took: a JetStream stream over the notice subjects.

/** a new case of tests/fixtures/plan-2025.yaml's strict type; ids `<prefix>-n`, ticket `<PREFIX>-n` */
export function newCase(prefix: string, n: number): TicketEvent {
  return {
    eventId: `${prefix}-${n}`,
    ticketId: `${prefix.toUpperCase()}-${n}`,
    kind: 'first_contact',
    outcome: 'not_agreed',
    occurredAt: '2025-05-06T10:00:00+08:00',
    branch: ['SH', 'BJ', 'GZ'][n % 3],
    complaintType: 'insurance_dispute',
    customerId: `${prefix}c${n}`,
  } as TicketEvent;
}

/**
 * Publishes new cases every `gapMs` until stopped; a publish a hung or dead broker does not
 * answer is sent again (same msgID).
 */
export function casesArriving(js: JetStreamClient, prefix: string, gapMs: number) {
  let stopped = false;
  let published = 0;
  const done = (async () => {
    while (!stopped) {
      const e = newCase(prefix, published + 1);
      for (;;) {
        try {
          await js.publish(`complaints.tickets.${e.branch}`, JSON.stringify(e), { msgID: e.eventId });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      published++;
      await new Promise((r) => setTimeout(r, gapMs));
    }
  })();
  return { published: () => published, stop: () => ((stopped = true), done.then(() => published)) };
}

/** every notice the stream holds, in order (an ordered consumer reads it from its start) */
export async function storedNotices(nc: NatsConnection, stream: string): Promise<Array<{ id: string; noticeId: string }>> {
  const consumer = await jetstream(nc).consumers.get(stream);
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  const all: Array<{ id: string; noticeId: string }> = [];
  while (all.length < info.state.messages) {
    let got = 0;
    for await (const m of await consumer.fetch({ max_messages: 500, expires: 3_000 })) {
      got++;
      all.push(m.json());
    }
    if (got === 0) break;
  }
  return all;
}

/**
 * Every case published under `prefix` has its case alert, and every one of those its notice in
 * the stream: at least once, never lost. Notices are core NATS, sent after their audit rows'
 * write: they are given until they stop coming.
 */
export async function expectEveryCaseNotified(monitor: MonitorProcess, prefix: string, published: number, notifiedAlerts: () => Promise<Set<string>>): Promise<void> {
  const ticketPrefix = `${prefix.toUpperCase()}-`;
  const caseAlerts = await until(
    'a case alert for every case published',
    async () => {
      const { body } = await getJson(monitor, '/api/alerts?status=all&kind=case');
      const ours = (body.alerts as Array<{ id: string; kind: string; ticketId?: string }>).filter((a) => a.kind === 'case' && a.ticketId?.startsWith(ticketPrefix));
      return ours.length === published && ours;
    },
    90_000,
  );
  let missing: string[] = [];
  await until(
    'a notice for every case alert',
    async () => {
      const notified = await notifiedAlerts();
      missing = caseAlerts.filter((a) => !notified.has(a.id)).map((a) => a.ticketId!);
      return missing.length === 0;
    },
    30_000,
  ).catch(() => undefined);
  expect({ missing: missing.slice(0, 10), count: missing.length }, `${caseAlerts.length} case alerts`).toEqual({ missing: [], count: 0 });
}
