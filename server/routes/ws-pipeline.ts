import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Monitor } from '../monitor.ts';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { lastHourView } from '../dead-letter-window.ts';
import { brokerStoreProbe, type BrokerStoreJudgement } from '../broker-store.ts';
import { consumingNow, noteNothingToWrite, storeUnanswered } from '../monitor-health.ts';
import type { NoticeRefusals } from '../notice-refusals.ts';

/** a broker request of the wall's pipeline probe gives up after this; a live local broker answers in milliseconds */
export const PROBE_TIMEOUT_MS = 2_000;

/** The pipeline's freshness for the wall's heartbeats and snapshots: a probe of the consumer and the broker's store, and the view built from its last figures. */
export function pipelineFreshness(monitor: Monitor, now: () => number, iso: (ms: number) => string) {
// Pipeline freshness: how far behind the stream the counters are. `caughtUpAtMs` is the last
// moment the consumer had nothing pending; lag is the time since then (0 while caught up).
// `probedAtMs`: when the consumer's figures were last read, so a heartbeat says how old they are.
const pipeline = { pending: null as number | null, inFlight: 0, caughtUpAtMs: null as number | null, probedAtMs: null as number | null, broker: null as BrokerStoreJudgement | null };
// A hung broker answers nothing and keeps the connection open: each request gives
// up after PROBE_TIMEOUT_MS, and the heartbeat never waits for the probe longer than half its
// period, so the page's three-silent-periods limit is not reached while the server is fine.
let jsm: { nc: NatsConnection; manager: Promise<JetStreamManager> } | undefined;
const probeOnce = async () => {
  try {
    const nc = monitor.nc;
    if (jsm?.nc !== nc) jsm = { nc, manager: jetstreamManager(nc, { timeout: PROBE_TIMEOUT_MS }) };
    const info = await (await jsm.manager).consumers.info(STREAM, monitor.config.consumerName);
    // Delivered-but-unacked messages are being written; only undelivered ones mean falling behind.
    pipeline.pending = info.num_pending;
    pipeline.inFlight = info.num_ack_pending;
    pipeline.probedAtMs = now();
    if (pipeline.pending === 0) pipeline.caughtUpAtMs = now();
    if (pipeline.pending === 0 && pipeline.inFlight === 0) noteNothingToWrite(monitor.health);
  } catch {
    jsm = undefined; // a manager whose API check failed is not kept
    pipeline.pending = null;
  }
  pipeline.broker = await brokerStoreProbe(monitor).judge(now()); // a full store refuses the intake
};
// one probe at a time: ticks during a slow one share it instead of piling more on the broker
let probing: Promise<void> | undefined;
const probePipeline = (): Promise<void> => (probing ??= probeOnce().finally(() => (probing = undefined)));
const storeUnansweredMs = (t: number) => {
  const away = storeUnanswered(monitor.health, monitor.lease.guard?.storeAway?.());
  return away ? t - away.sinceMs : null;
};
const pipelineView = () => {
  const h = monitor.health;
  const t = now();
  return {
    consuming: consumingNow(h, monitor.lease), // false while a hung broker leaves the lease unconfirmed
    nats: h.nats,
    lastBatchAt: h.lastBatchAtMs ? iso(h.lastBatchAtMs) : null,
    // what the wall's 最后来单 says: a re-sent year of repeats is not a new ticket
    lastTicketAt: h.lastNewEventAtMs ? iso(h.lastNewEventAtMs) : null,
    pending: pipeline.pending,
    probedAt: pipeline.probedAtMs === null ? null : iso(pipeline.probedAtMs),
    probeAgeMs: pipeline.probedAtMs === null ? null : t - pipeline.probedAtMs,
    // idle and caught up: 0; only in-flight messages: the last batch's store-to-durable time;
    // undelivered messages: how long since the consumer last had none
    lagMs:
      pipeline.pending === 0
        ? pipeline.inFlight === 0
          ? 0
          : (h.lastBatchLagMs ?? 0)
        : pipeline.caughtUpAtMs === null
          ? null
          : t - pipeline.caughtUpAtMs,
    writeError: h.lastWriteError ?? null,
    // how long the event writes have failed (the server's clock, not the screen's): the wall calls it a stall
    writeFailingMs: h.writeFailingSinceMs === undefined ? null : t - h.writeFailingSinceMs,
    // server mode, no ticket coming: the store found away by the presence written every 5 s
    storeUnansweredMs: storeUnansweredMs(t),
    // since: the window began with this run, less than an hour ago (the wall says so)
    deadLetters: lastHourView(monitor.deadLetterWindow, t, monitor.plan.timezone, h.startedAtMs),
    // events from branches the plan does not list: in 全行's figures, in no branch's
    unknownBranches: monitor.uncounted.view().unknownBranches,
    brokerStore: pipeline.broker && { status: pipeline.broker.status, reasons: pipeline.broker.reasons },
    // the gateways get no notices: the monitoring room must know the people on call hear nothing
    noticesRefused: refusedView(h.noticeRefusals),
    // people's actions not in ClickHouse yet: a console says so, also to a page opened meanwhile
    alertLogWaiting: h.alertLogFailing ? { rows: h.alertLogFailing.rows, notOnDisk: h.alertLogFailing.notOnDisk } : null,
    // a restart put the PLAN file's plan back over a runtime change: supervisors see alerts reopen
    planFileWarning: monitor.planFileWarning ?? null,
  };
};
  const refusedView = (refusals: NoticeRefusals) => {
    const r = refusals.latest();
    return r ? { subject: r.subject, why: r.why, at: iso(r.atMs), count: refusals.total, subjects: r.subjects } : null;
  };
  return { probePipeline, pipelineView };
}
