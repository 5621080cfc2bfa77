import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import {
  allKeys,
  applyAction,
  caseAlertId,
  CasesDue,
  escalationDue,
  resolveAlertConfig,
  TicketBook,
  type Action,
  type AlertRecord,
  type AlertRulesConfig,
  type Cause,
  type Key,
  type Step,
} from '../../pipelines/rules/index.ts';
import { rosterSteps } from '../../pipelines/rules/ladder-roster.ts';
import type { CounterChange, Logger, Monitor } from '../monitor.ts';
import { loadCaseEvents, loadTicketEvents } from './store.ts';
import { alertView, stampCredential, type Credential } from './view.ts';
import { commitSteps } from './commit-steps.ts';
import { AuditWriter } from './audit-writer.ts';
import { TicketLoader } from './ticket-loader.ts';
import { pickAlerts } from './list.ts';
import { openFactsOf, openLevelKeys, withOpenCaseTickets, withOpenLevelKeys, type ListStatus } from './open-alerts.ts';
import { AlertIndex } from './record-index.ts';
import { changeReason, ticketsToKeep } from './change-routing.ts';
import { appliedOutside } from './outside-applied.ts';
import { carriedEvent, followPlanChange, strictOf } from './carried-year.ts';
import { applyInTurns, deriveAtOnce, deriveYearInSlices } from './start-derivation.ts';
import { Rederivation } from './rederivation.ts';
import { actWhenSettled } from './action-gate.ts';
import { loadAtStart } from './start-load.ts';

// The alert engine: the I/O around the pure rules. Alerts are re-derived from the events (the
// rules are deterministic); the people's side (acks, notes, notices, assignments, escalations)
// is replayed from the append-only ClickHouse log (rows: the alert after each change). A restart
// loads them, re-derives everything now, and logs only what changed while it was down.

const LOAD_EVERY_MS = 250;

export class AlertEngine {
  /** the plan's `alerts:` settings; replaced when the plan changes at runtime */
  cfg: AlertRulesConfig;
  /** the alerts in memory, by (type, scope) and ticket: what a re-derivation may withdraw */
  private readonly alerts = new AlertIndex();
  readonly records = this.alerts.records;
  private readonly book = new TicketBook();
  /** tickets with a first contact dated ahead of the clock: derived again when due */
  private readonly casesDue = new CasesDue();
  private readonly pending: CounterChange[] = [];
  private ready = false;
  /** a plan change's derivation; what arrives meanwhile waits */
  private readonly rederive = new Rederivation();
  /** a stop began: derivations end */
  halted = false;
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private lastWeek = -2;
  /** the audit rows, and the gateway notices sent once their rows are written */
  private readonly audit: AuditWriter;
  /** tickets new to the book whose stored events are to be read */
  private readonly loader = new TicketLoader(
    async (tickets, byReason) => {
      const events = await loadTicketEvents(this.monitor.clickhouse, tickets);
      await this.rederive.whenSettled(() => {
        this.book.apply(events);
        for (const [reason, group] of byReason) this.evaluate([], group, { retroactive: true, reason });
      });
    },
    (err, tickets) =>
      this.log.error({ err: err.message || String(err), tickets }, 'loading the earlier events of a ticket failed'),
    LOAD_EVERY_MS,
  );
  private strictAtPlan: Set<string>;
  /** newly strict types whose tickets are not read back yet */
  private readonly unread = new Set<string>();
  /** the year before's strict types, by its plan (carried-year.ts) */
  private strictBefore = new Set<string>();

  private constructor(
    private readonly monitor: Monitor,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.cfg = resolveAlertConfig(monitor.plan.plan.alerts);
    this.strictAtPlan = strictOf(monitor.plan);
    this.audit = new AuditWriter(monitor, log, monitor.config.noticeRefusedRetryMs, monitor.config.dataDir);
  }

  static async start(monitor: Monitor, log: Logger, now: () => number): Promise<AlertEngine> {
    const engine = new AlertEngine(monitor, log, now);
    // Subscribe before reading the store: no batch falls between the two (both idempotent).
    engine.sub = monitor.changes.subscribe((c) => engine.take(c));
    const { plan, clickhouse } = monitor;
    const { alerts, book, strictAtPlan, cfg } = engine;
    engine.strictBefore = await loadAtStart({ clickhouse, plan, kept: engine.audit.takeKept(), onCall: cfg.onCall, strictAtPlan, alerts, book, log });
    monitor.snapshotAlerts = () => engine.list('open');
    const outside = { countsTicket: (t: string) => monitor.index.countsTicket(t), hasCase: (t: string) => engine.records.has(caseAlertId(t)), strictTypes: engine.strictBefore };
    monitor.uncounted.applied = (e) => appliedOutside(e, monitor.plan, outside);
    monitor.uncounted.countsTicket = outside.countsTicket;
    monitor.alertFacts = () => openFactsOf(engine.alerts.openRecords());
    // derives, ticks, logs and notifies only with the counting lease (server/lease.ts), over
    // counters that hold every stored event
    monitor.alertsDerived = monitor.counting.then(async () => {
      // what a crash or a lost lease kept from the gateways
      await engine.audit.resendUnsent({ ladder: engine.cfg.onCall, timezone: monitor.plan.timezone });
      if (engine.sub?.closed) return;
      // in slices (audit CO1); changes wait in `pending` meanwhile, as for the lease
      if (!(await engine.deriveEverything({ retroactive: true, reason: 're-derived at start' }))) return;
      engine.ready = true;
      engine.takePending();
      engine.timer = setInterval(() => engine.tick(), monitor.config.alertTickMs);
      engine.timer.unref();
      log.info({ alerts: engine.records.size, open: engine.list('open').length }, 'alert engine started');
    });
    return engine;
  }

  list(status: ListStatus) {
    return pickAlerts(this.records.values(), { status }).map((r) => alertView(r, this.monitor.plan.timezone));
  }

  get(id: string): AlertRecord | undefined {
    return this.records.get(id);
  }

  /** A person's action, after a plan change's derivation under way; ActionRefused (4xx) when
   *  the state forbids it, ActionNotTaken (503) at a stop or without the lease. */
  async act(id: string, action: Action, credential?: Credential): Promise<AlertRecord | undefined> {
    return actWhenSettled(this.rederive, () => ({ stopping: this.halted, counting: this.monitor.lease.current }), () => this.actNow(id, action, credential));
  }

  private actNow(id: string, action: Action, credential?: Credential): AlertRecord | undefined {
    const r = this.records.get(id);
    if (!r) return undefined;
    const step = applyAction(r, action, this.now(), () => `${id}/${action.type}/${randomUUID()}`, this.cfg);
    if (credential) stampCredential(step.entries, credential);
    this.commit([step]);
    return step.record;
  }

  /** Time passes: week boundaries, case urgency, the on-call ladder, fresh burn rates. */
  tick(): void {
    // skipped while a plan change derives: the next one catches up
    if (!this.monitor.lease.current || this.rederive.running) return;
    const now = this.now();
    const week = this.monitor.plan.weekIndexAt(now);
    // at a new week every key of the plan, else the keys of the open alerts
    const keys: Key[] =
      week !== this.lastWeek
        ? withOpenLevelKeys(this.records.values(), allKeys(this.monitor.plan))
        : openLevelKeys(this.records.values());
    this.lastWeek = week;
    const tickets = withOpenCaseTickets(this.records.values(), this.casesDue.take(now));
    this.evaluate(keys, tickets, { retroactive: false, reason: 'clock' });
    const steps: Step[] = [];
    for (const r of this.records.values()) {
      const up = escalationDue(r, now, this.cfg.onCall);
      if (up) steps.push(up);
    }
    this.commit(steps);
  }

  /**
   * The plan changed at runtime (routes/plan.ts): its `alerts:` settings apply from now, its
   * ladder's people to the alerts on the ladder; then, in slices (rederivation.ts; it supersedes
   * one under way), every key, open alert and ticket in the book is derived again (a dropped
   * type or branch withdraws its alerts), and newly strict types' tickets are read back.
   */
  private onPlanChange(): void {
    this.cfg = resolveAlertConfig(this.monitor.plan.plan.alerts);
    const before = this.strictAtPlan;
    this.strictAtPlan = strictOf(this.monitor.plan);
    for (const t of this.strictAtPlan) if (!before.has(t)) this.unread.add(t);
    followPlanChange(this.strictBefore, this.strictAtPlan, this.records.values(), this.monitor.plan);
    this.commit(rosterSteps(this.records.values(), this.cfg.onCall));
    const cause = { retroactive: true, reason: 'plan changed' };
    const derive = async (superseded: () => boolean) => {
      const started = performance.now();
      if (!(await this.deriveEverything(cause, superseded)) || !(await this.readNewlyStrict(cause, superseded))) return;
      this.log.info({ alerts: this.records.size, ms: Math.round(performance.now() - started) }, 'alerts derived again on the changed plan');
    };
    this.rederive.start(derive, () => this.takePending()).catch((err: Error) => this.log.error({ err: err.message }, 'deriving the alerts on the changed plan failed'));
  }

  /** `unread` types' tickets into the book, derived (a failed read: at the next change) */
  private async readNewlyStrict(cause: Cause, superseded: () => boolean): Promise<boolean> {
    const types = [...this.unread].filter((t) => this.strictAtPlan.has(t));
    if (types.length === 0) return true;
    const events = await loadCaseEvents(this.monitor.clickhouse, types).catch((err: Error) => void this.log.error({ err: err.message || String(err), types }, 'reading the tickets of newly strict types failed'));
    if (!events) return true;
    if (superseded() || this.halted) return false;
    await applyInTurns(this.book, events);
    for (const t of types) this.unread.delete(t);
    return this.deriveEverything(cause, superseded, new Set(events.map((e) => e.ticketId)));
  }

  /** A plan change at once (it supersedes one under way); other changes wait for a derivation. */
  private take(c: CounterChange): void {
    if (c.planChanged && this.ready) return this.onPlanChange();
    if (this.ready && !this.rederive.running) this.onChange(c);
    else this.pending.push(c);
  }

  private takePending(): void {
    if (!this.halted) for (const c of this.pending.splice(0)) this.take(c);
  }

  private onChange(c: CounterChange): void {
    // The book keeps only tickets that are, or were, of a strict type (change-routing.ts). One new
    // to it has its stored events read back (the loader) and is derived again (rare: strict types are small-base).
    const { kept, arriving } = ticketsToKeep((t) => this.book.has(t), strictOf(this.monitor.plan), c.events, carriedEvent(this.strictBefore, this.monitor.plan));
    this.book.apply(kept);
    const keys = c.rows.map((r) => ({ complaintType: r.complaintType, scope: r.scope }));
    const reason = changeReason(c.events, c.retroactive);
    // a push of counters whose future-dated events came due (server/due-changes.ts) opens their cases
    const tickets = new Set([...kept.map((e) => e.ticketId), ...this.casesDue.take(this.now())]);
    this.evaluate(keys, tickets, { retroactive: c.retroactive, reason });
    this.loader.add([...arriving], reason);
  }

  /**
   * Re-derives every key of the plan, every open alert and every ticket in the book (or only
   * `only` tickets, no key), yielding between slices (audit CO1): the stored open alerts too, so
   * a type or branch the plan no longer has withdraws its alerts. False when stopped meanwhile.
   */
  private async deriveEverything(cause: Cause, superseded = () => false, only?: Set<string>): Promise<boolean> {
    const { plan, index } = this.monitor;
    const nowMs = this.now();
    const keys = only ? [] : withOpenLevelKeys(this.records.values(), allKeys(plan));
    const tickets = only ?? withOpenCaseTickets(this.records.values(), this.book.ticketIds());
    const year = { plan, index, book: this.book, cfg: this.cfg, keys, tickets, nowMs, cause, strictBefore: this.strictBefore };
    const done = await deriveYearInSlices(year, this.alerts, (s) => this.commit(s, nowMs), { stopped: () => this.halted || superseded() });
    if (done) this.casesDue.note(done.covered, done.dueAtMs);
    return done !== undefined;
  }

  /** Re-derives the given (type, scope) keys and tickets at the current instant, in one go. */
  private evaluate(keys: readonly Key[], tickets: Iterable<string>, cause: Cause): void {
    const { plan, index } = this.monitor;
    const d = { plan, index, book: this.book, cfg: this.cfg, keys, tickets, nowMs: this.now(), cause, strictBefore: this.strictBefore };
    const { steps, covered, dueAtMs } = deriveAtOnce(d, this.alerts);
    this.casesDue.note(covered, dueAtMs);
    this.commit(steps);
  }

  /** memory first, then the audit rows (in order), /ws and NATS */
  private commit(steps: Step[], now = this.now()): void {
    commitSteps(this.monitor, this.alerts, this.audit, steps, now);
  }

  /** Writes the audit rows so far now; resolves when they are written (a person's action). */
  written(): Promise<boolean> {
    return this.audit.write();
  }

  /** Resolves when every audit row so far is written (tests, shutdown). */
  flushed(): Promise<boolean> {
    return this.loader.flush().then(() => this.audit.write());
  }

  /** At a stop, before the lease goes: the audit rows written and their notices sent. */
  async drain(): Promise<void> {
    this.halted = true;
    this.rederive.halt(); // the actions still waiting are refused now
    await this.loader.flush();
    await this.audit.stop();
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }
}
