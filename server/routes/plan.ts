import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { chTime } from '../../pipelines/sinks/clickhouse-time.ts';
import { compilePlan, parsePlan, PlanError, type CompiledPlan } from '../../pipelines/plan/index.ts';
import { authorize } from '../access.ts';
import { maskText } from '../../pipelines/transforms/mask.ts';
import { badRequest, HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { planHash, planJson } from '../plan-in-force.ts';
import { PlanChangeRecorder, type PlanChangeRecord } from '../plan-change-record.ts';
import { toZonedIso } from '../time.ts';
import { intParam, readQuery } from './query.ts';

// Changing the plan of a running monitor (contract section 4 "change a plan" is an action: admin
// only, refused in open local mode). The new plan takes effect without a restart: counters are
// rebuilt from the stored events under it (Monitor.replacePlan) and swapped in one step, and the
// alert engine and the screens are told in that same step: no counter of the new plan reaches a
// screen drawn from the old one. Then the change is recorded (complaints.plan_changes with who,
// when, the old and the new plan; plan_in_force), retried until the store takes it
// (plan-change-record.ts). One change at a time: a PUT while another runs is refused with 409,
// so two admins' changes can never be announced in another order than they took effect.
//
// PUT /api/plan  {"by": "张三", "reason": "...", "plan": <plan object> | "<YAML or JSON text>"}
// GET /api/plan/changes[?limit]


export function planRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): void {
  const { config } = monitor;
  /** the change under way: a second PUT meanwhile is refused, not queued (see docs/PLANS.md) */
  let changing: { by: string; sinceMs: number } | undefined;
  const recorder = new PlanChangeRecorder(monitor.clickhouse, app.log, (warning) => {
    if (warning || monitor.planFileWarning?.includes('not yet recorded in ClickHouse')) monitor.planFileWarning = warning;
  });
  app.addHook('onClose', () => recorder.stop());

  app.put('/api/plan', async (req) => {
    const access = authorize(req, config, 'admin');
    const body = req.body as Record<string, unknown> | null | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('expected a JSON object {"by", "plan", "reason"?}');
    for (const k of Object.keys(body)) if (!['by', 'plan', 'reason'].includes(k)) throw badRequest(`unknown field "${k}" (allowed: by, plan, reason)`);
    const by = body.by;
    if (typeof by !== 'string' || by.trim() === '' || by.length > 128) throw badRequest('"by" (who changes the plan) is required, at most 128 characters');
    const reason = body.reason ?? '';
    if (typeof reason !== 'string' || reason.length > 2000) throw badRequest('"reason" must be a string of at most 2000 characters');
    // stored, shown and logged: numbers a person typed into them are masked as in tickets' texts
    const who = maskText(by.trim());
    const why = maskText(reason);
    let next: CompiledPlan;
    if (body.plan === undefined || body.plan === null) throw badRequest('"plan" is required: the plan as YAML text or as a JSON object');
    try {
      const text = typeof body.plan === 'string' ? body.plan : JSON.stringify(body.plan, null, 2);
      next = compilePlan(parsePlan(text, 'request plan'));
    } catch (err) {
      if (err instanceof PlanError) throw new HttpError(400, 'BAD_PLAN', err.message);
      throw err;
    }
    if (changing) {
      throw new HttpError(409, 'PLAN_CHANGE_IN_PROGRESS', `another plan change (by ${changing.by}, since ${toZonedIso(changing.sinceMs, monitor.plan.timezone)}) is in progress; when it is done, look at GET /api/plan and submit again if yours is still wanted`);
    }
    changing = { by: who, sinceMs: now() };
    try {
      return await changePlan(next, who, why, access.role, req.log);
    } finally {
      changing = undefined;
    }
  });

  /** Swaps the plan, tells the alert engine and the screens in the swap's own turn, then records it. */
  async function changePlan(next: CompiledPlan, who: string, why: string, role: string, log: FastifyBaseLogger) {
    const old = monitor.plan;
    if (next.year !== old.year) {
      throw badRequest(`the plan is for ${next.year} but the monitor runs ${old.year}; a new year needs a restart with PLAN set`);
    }
    const [oldJson, newJson] = [planJson(old), planJson(next)];
    const [oldHash, newHash] = [planHash(old), planHash(next)];
    if (oldJson === newJson) return { changed: false, year: next.year, hash: newHash };
    let record: PlanChangeRecord | undefined;
    try {
      await monitor.replacePlan(next, (rebuiltEvents) => {
        const at = now();
        monitor.planFileWarning = recorder.warning; // an earlier change's record still pending
        // The screens first: they take the new plan whole (a snapshot) before any counter of it.
        monitor.liveMessages.next({ type: 'plan', year: next.year, changedAt: toZonedIso(at, next.timezone), by: who, hash: newHash });
        // Everything may have moved: downstream rules and boards get every counter, marked retroactive.
        const rows = monitor.index.rows(at);
        monitor.changes.next({ asOfMs: at, rows, events: [], retroactive: true, planChanged: true });
        const change = {
          changed_at: chTime(at), plan_year: next.year, changed_by: who, role, reason: why,
          old_hash: oldHash, new_hash: newHash, old_plan: oldJson, new_plan: newJson, rebuilt_events: rebuiltEvents,
        };
        record = { atMs: at, plan: next, change, rows, by: who };
      });
    } catch (err) {
      if ((err as Error).message.includes('already in progress')) throw new HttpError(409, 'PLAN_CHANGE_IN_PROGRESS', (err as Error).message);
      throw err;
    }
    const { atMs, change } = record!;
    const notRecorded = await recorder.record(record!);
    log.info({ by: who, year: next.year, rebuiltEvents: change.rebuilt_events, recorded: !notRecorded }, 'plan changed');
    return {
      changed: true, year: next.year, oldHash, newHash, rebuiltEvents: change.rebuilt_events, changedAt: toZonedIso(atMs, next.timezone),
      recorded: !notRecorded,
      ...(notRecorded ? { warning: `the plan is in force, but its record in ClickHouse is not written yet (${notRecorded}); it is retried (GET /api/health planFileWarning)` } : {}),
    };
  }

  app.get('/api/plan/changes', async (req) => {
    authorize(req, config, 'supervisor', 'reads');
    const q = readQuery(req.query, ['limit']);
    const limit = intParam(q, 'limit', 50, 1, 1000);
    const rs = await monitor.clickhouse.query({
      query: `SELECT toUnixTimestamp64Milli(changed_at) AS at, plan_year, changed_by, role, reason, old_hash, new_hash, old_plan, new_plan, rebuilt_events
              FROM complaints.plan_changes ORDER BY changed_at DESC LIMIT {limit:UInt32}`,
      query_params: { limit },
      format: 'JSONEachRow',
    });
    type Row = { at: string; plan_year: number; changed_by: string; role: string; reason: string; old_hash: string; new_hash: string; old_plan: string; new_plan: string; rebuilt_events: string };
    const rows = await rs.json<Row>();
    return {
      changes: rows.map((r) => ({
        changedAt: toZonedIso(Number(r.at), monitor.plan.timezone),
        year: Number(r.plan_year),
        by: r.changed_by,
        role: r.role,
        reason: r.reason,
        oldHash: r.old_hash,
        newHash: r.new_hash,
        old: JSON.parse(r.old_plan) as unknown,
        new: JSON.parse(r.new_plan) as unknown,
        rebuiltEvents: Number(r.rebuilt_events),
      })),
    };
  });
}
