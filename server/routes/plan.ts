import type { FastifyInstance } from 'fastify';
import { chTime } from '../../pipelines/sinks/clickhouse.ts';
import { ClickHouseSink } from '../../pipelines/sinks/clickhouse.ts';
import { compilePlan, parsePlan, PlanError, type CompiledPlan } from '../../pipelines/plan/index.ts';
import { authorize } from '../access.ts';
import { maskText } from '../../pipelines/transforms/mask.ts';
import { badRequest, HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { planHash, planJson, recordPlanInForce } from '../plan-in-force.ts';
import { toZonedIso } from '../time.ts';
import { intParam, readQuery } from './query.ts';

// Changing the plan of a running monitor (contract section 4 "change a plan" is an action: admin
// only, refused in open local mode). The new plan takes effect without a restart: counters are
// rebuilt from the stored events under it (Monitor.replacePlan) and swapped in one step. Every
// change is recorded in complaints.plan_changes with who, when, the old and the new plan.
//
// PUT /api/plan  {"by": "张三", "reason": "...", "plan": <plan object> | "<YAML or JSON text>"}
// GET /api/plan/changes[?limit]


export function planRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): void {
  const { config } = monitor;

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
    try {
      const text = typeof body.plan === 'string' ? body.plan : JSON.stringify(body.plan ?? null, null, 2);
      next = compilePlan(parsePlan(text, 'request plan'));
    } catch (err) {
      if (err instanceof PlanError) throw new HttpError(400, 'BAD_PLAN', err.message);
      throw err;
    }
    const old = monitor.plan;
    if (next.year !== old.year) {
      throw badRequest(`the plan is for ${next.year} but the monitor runs ${old.year}; a new year needs a restart with PLAN set`);
    }
    const [oldJson, newJson] = [planJson(old), planJson(next)];
    const [oldHash, newHash] = [planHash(old), planHash(next)];
    if (oldJson === newJson) return { changed: false, year: next.year, hash: newHash };
    let rebuiltEvents: number;
    try {
      ({ rebuiltEvents } = await monitor.replacePlan(next));
    } catch (err) {
      if ((err as Error).message.includes('already in progress')) throw new HttpError(409, 'PLAN_CHANGE_IN_PROGRESS', (err as Error).message);
      throw err;
    }
    const at = now();
    await monitor.clickhouse.insert({
      table: 'complaints.plan_changes',
      format: 'JSONEachRow',
      values: [{
        changed_at: chTime(at), plan_year: next.year, changed_by: who, role: access.role, reason: why,
        old_hash: oldHash, new_hash: newHash, old_plan: oldJson, new_plan: newJson, rebuilt_events: rebuiltEvents,
      }],
    });
    await recordPlanInForce(monitor.clickhouse, next, at, 'change');
    // Everything may have moved: downstream rules and boards get every counter, marked retroactive.
    const rows = monitor.index.rows(at);
    monitor.changes.next({ asOfMs: at, rows, events: [], retroactive: true, planChanged: true });
    monitor.liveMessages.next({ type: 'plan', year: next.year, changedAt: toZonedIso(at, next.timezone), by: who, hash: newHash });
    await new ClickHouseSink(monitor.clickhouse).writeCounterChanges(rows, next.year, at, 'plan-change');
    req.log.info({ by: who, year: next.year, rebuiltEvents }, 'plan changed');
    return { changed: true, year: next.year, oldHash, newHash, rebuiltEvents, changedAt: toZonedIso(at, next.timezone) };
  });

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
