import { describe, expect, it } from 'vitest';
import { hasPrivate, publicAlert, publicAlertId, publicMessage } from './wallboard-public.ts';

// Alerts as server/alerts/view.ts renders them, with what audit G found on public screens: the
// correcting event ids in a withdrawal's reason (they embed the ticket id), the on-call names of
// escalation lines, people's names, texts and addressees.
const EVENT = 'TK-2026-17430-2-s1';
const levelAlert = {
  type: 'alert', id: 'level.2026.rel.SH.1', kind: 'level', complaintType: 'rel', scope: 'SH', level: 'breach', status: 'resolved',
  openedAt: '2026-11-27T10:00:00+08:00', raisedAt: '2026-11-27T10:00:01+08:00', resolution: 'withdrawn', resolvedAt: '2026-11-27T11:00:00+08:00',
  currentLevel: 'watch',
  history: [
    { at: '2026-11-27T10:00:00+08:00', what: 'opened', level: 'watch', detail: { unresolved: 17, allowanceToDate: 20, ratio: 0.85 } },
    { at: '2026-11-27T10:05:00+08:00', what: 'escalated', by: 'on-call policy', reason: 'not acknowledged in time', before: 'open/watch', after: 'open/watch', detail: { onCallLevel: 2, round: 0, notify: ['李四 139****5678'] } },
    { at: '2026-11-27T10:30:00+08:00', what: 'amended', reason: `correction ${EVENT}, TK-2026-717430-2-s1`, before: 'level=breach', after: 'level=watch' },
    { at: '2026-11-27T11:00:00+08:00', what: 'withdrawn', reason: `correction ${EVENT}`, before: 'open/breach', after: 'resolved/breach' },
  ],
  ack: { by: '王主管', at: '2026-11-27T10:06:00+08:00', reason: 'contacting_customer' },
  assignee: '李专员', onCall: { level: 2, round: 0, since: '2026-11-27T10:05:00+08:00', notify: ['李四 139****5678'] },
  burn: { fast: { added: 3 } }, change: [{ what: 'withdrawn', at: 1, by: null }],
};
const caseAlert = {
  type: 'alert', id: 'case.TK-2026-17430', kind: 'case', complaintType: 'str', scope: 'BJ', level: 'watch', urgency: 'new', status: 'acknowledged',
  openedAt: '2026-11-27T09:00:00+08:00', ticketId: 'TK-2026-17430',
  history: [
    { id: 'case.TK-2026-17430/opened/1', at: '2026-11-27T09:00:00+08:00', what: 'opened', level: 'watch', detail: { eventId: EVENT } },
    { id: 'case.TK-2026-17430/case-escalated/2/e9', at: '2026-11-27T09:10:00+08:00', what: 'case-escalated', detail: { eventId: 'TK-2026-17430-9', escalation: 'mediation' } },
    { id: 'case.TK-2026-17430/ack/x', at: '2026-11-27T09:20:00+08:00', what: 'acknowledged', by: '王主管', reason: 'contacting_customer', detail: { note: '客户龚纾涵 139****4710' } },
    { id: 'case.TK-2026-17430/notice/y', at: '2026-11-27T09:30:00+08:00', what: 'notice', by: '王主管', detail: { to: '朝阳支行 张三', text: '提示书' } },
    { id: 'case.TK-2026-17430/reopened/z', at: '2026-11-27T09:40:00+08:00', what: 'reopened', reason: 'level rose to breach', before: 'acknowledged/watch', after: 'open/breach' },
  ],
};
const PRIVATE = /TK-2026|17430|李四|139\*|王主管|李专员|龚纾涵|张三|提示书|contacting_customer|notify|on-call policy/;

describe('wallboard public view', () => {
  it('wallboard public - history reasons keep the rules\' words; a correction loses its event ids', () => {
    const pub = publicAlert(levelAlert);
    expect(JSON.stringify(pub)).not.toMatch(PRIVATE);
    expect((pub.history as Array<{ reason?: string }>).map((h) => h.reason)).toEqual([undefined, 'not acknowledged in time', 'correction', 'correction']);
  });

  it('wallboard public - escalation lines keep the on-call level, not who is on call', () => {
    const pub = publicAlert(levelAlert);
    expect((pub.history as object[])[1]).toEqual({ at: '2026-11-27T10:05:00+08:00', what: 'escalated', reason: 'not acknowledged in time', before: 'open/watch', after: 'open/watch', detail: { onCallLevel: 2, round: 0 } });
    expect(pub.onCall).toEqual({ level: 2, round: 0, since: '2026-11-27T10:05:00+08:00' });
  });

  it('wallboard public - an alert keeps only the listed fields; nothing else survives', () => {
    expect(publicAlert(levelAlert)).toEqual({
      type: 'alert', id: 'level.2026.rel.SH.1', kind: 'level', level: 'breach', currentLevel: 'watch', status: 'resolved', resolution: 'withdrawn',
      complaintType: 'rel', scope: 'SH', openedAt: '2026-11-27T10:00:00+08:00', raisedAt: '2026-11-27T10:00:01+08:00', resolvedAt: '2026-11-27T11:00:00+08:00',
      onCall: { level: 2, round: 0, since: '2026-11-27T10:05:00+08:00' },
      history: [
        { at: '2026-11-27T10:00:00+08:00', what: 'opened', level: 'watch', detail: { unresolved: 17, allowanceToDate: 20, ratio: 0.85 } },
        { at: '2026-11-27T10:05:00+08:00', what: 'escalated', reason: 'not acknowledged in time', before: 'open/watch', after: 'open/watch', detail: { onCallLevel: 2, round: 0 } },
        { at: '2026-11-27T10:30:00+08:00', what: 'amended', reason: 'correction', before: 'level=breach', after: 'level=watch' },
        { at: '2026-11-27T11:00:00+08:00', what: 'withdrawn', reason: 'correction', before: 'open/breach', after: 'resolved/breach' },
      ],
      change: [{ what: 'withdrawn', at: 1 }],
    });
    const pub = publicAlert(caseAlert) as { id: string; history: Array<Record<string, unknown>> };
    expect(JSON.stringify(pub)).not.toMatch(PRIVATE);
    expect(pub.id).toMatch(/^case\.[0-9a-f]{12}$/);
    expect(pub.history.map(({ id, ...rest }) => (expect(id).toMatch(new RegExp(`^${pub.id.replace('.', '\\.')}/[0-9a-f]{12}$`)), rest))).toEqual([
      { at: '2026-11-27T09:00:00+08:00', what: 'opened', level: 'watch' },
      { at: '2026-11-27T09:10:00+08:00', what: 'case-escalated', detail: { escalation: 'mediation' } }, // the ticker's ↑三方调解
      { at: '2026-11-27T09:20:00+08:00', what: 'acknowledged' },
      { at: '2026-11-27T09:30:00+08:00', what: 'notice' },
      { at: '2026-11-27T09:40:00+08:00', what: 'reopened', reason: 'level rose to breach', before: 'acknowledged/watch', after: 'open/breach' },
    ]);
    // a field nobody has judged yet stays off
    expect(publicAlert({ ...caseAlert, contact: { phone: '139' }, summary: 'x' })).toEqual(publicAlert(caseAlert));
  });

  it('wallboard public - a case keeps a stable alias, so its updates find their row; level ids stay', () => {
    expect(publicAlertId('case.TK-1')).toBe(publicAlertId('case.TK-1'));
    expect(publicAlertId('case.TK-1')).not.toBe(publicAlertId('case.TK-2'));
    expect(publicAlertId('case.TK-1')).toMatch(/^case\.[0-9a-f]{12}$/);
    expect(publicAlertId('level.2025.mp.BJ.1')).toBe('level.2025.mp.BJ.1');
    expect(publicAlertId('level.2025.mp.BJ.1/x')).toMatch(/^level\.[0-9a-f]{12}$/);
  });

  it('wallboard public - every frame type: plan without who, pipeline without the store\'s message, screens without names or addresses', () => {
    const plan = { type: 'plan', year: 2026, changedAt: '2026-11-27T12:00:00+08:00', by: '李四 139****5678', hash: 'ab', seq: 7 };
    expect(publicMessage(plan)).toEqual({ type: 'plan', year: 2026, changedAt: '2026-11-27T12:00:00+08:00', hash: 'ab', seq: 7 });
    const pipeline = { consuming: true, nats: 'connected', lastBatchAt: null, pending: 0, lagMs: 0, writeError: 'connect ECONNREFUSED 10.1.2.3:8123', deadLetters: { received: 5, deadLetters: 1, lastDeadLetterAt: null } };
    const beat = publicMessage({ type: 'heartbeat', asOf: 't', heartbeatMs: 5000, pipeline, seq: 8 });
    expect(beat).toEqual({ type: 'heartbeat', asOf: 't', heartbeatMs: 5000, seq: 8, pipeline: { ...pipeline, writeError: 'write failed' } });
    // how many events of unlisted branches 全行 holds, not which branch codes
    const unlisted = publicMessage({ type: 'heartbeat', asOf: 't', pipeline: { unknownBranches: { events: 3, codes: ['SZ'] } } });
    expect(unlisted.pipeline).toEqual({ unknownBranches: { events: 3 } });
    // the broker store's state reaches a public screen, not the broker's words (they may name hosts)
    const full = { ...pipeline, brokerStore: { status: 'degraded', reasons: ['the broker refuses to store messages ("insufficient resources")'] } };
    expect(publicMessage({ type: 'heartbeat', asOf: 't', heartbeatMs: 5000, pipeline: full, seq: 8 })).toMatchObject({ pipeline: { brokerStore: { status: 'degraded' } } });
    expect(JSON.stringify(publicMessage({ type: 'heartbeat', asOf: 't', heartbeatMs: 5000, pipeline: full, seq: 8 }))).not.toMatch(/insufficient/);
    const screen = { type: 'screen', id: 'lobby-1', name: '大堂左屏', remote: '10.0.0.7', status: 'silent', lastHeartbeat: 't0', at: 't1', silentMs: 61_000, seq: 9 };
    const pubScreen = publicMessage(screen);
    expect(pubScreen).toEqual({ type: 'screen', id: expect.stringMatching(/^screen\.[0-9a-f]{12}$/), status: 'silent', lastHeartbeat: 't0', at: 't1', silentMs: 61_000, seq: 9 });
    const snap = {
      type: 'snapshot', seq: 9, epoch: 'e', asOf: 't', year: 2026, plan: { year: 2026 }, counters: [{ scope: 'BJ' }], series: {}, headline: { alerts: { open: 2 } }, heartbeatMs: 5000,
      alerts: [levelAlert, caseAlert], pipeline, screens: [{ ...screen, type: undefined, seq: undefined }], remoteAddresses: ['10.0.0.7'],
    };
    const pubSnap = publicMessage(snap);
    expect(JSON.stringify(pubSnap)).not.toMatch(PRIVATE);
    expect(JSON.stringify(pubSnap)).not.toMatch(/10\.0\.0\.7|10\.1\.2\.3|大堂左屏|lobby/);
    expect(pubSnap).toMatchObject({ counters: [{ scope: 'BJ' }], headline: { alerts: { open: 2 } }, alerts: [publicAlert(levelAlert), publicAlert(caseAlert)] });
    expect(pubSnap.screens).toEqual([{ id: pubScreen.id, status: 'silent', lastHeartbeat: 't0', at: 't1', silentMs: 61_000 }]);
    expect(pubSnap).not.toHaveProperty('remoteAddresses');
    // figures pass as they are; a frame type nobody has judged keeps only its place in the sequence
    const counter = { type: 'counter', scope: 'BJ', unresolvedCustomers: 3 };
    expect(publicMessage(counter)).toBe(counter);
    expect(hasPrivate(counter)).toBe(false);
    expect(publicMessage({ type: 'whatever', seq: 3, who: '李四' })).toEqual({ type: 'whatever', seq: 3 });
    expect(hasPrivate({ type: 'whatever' })).toBe(true);
  });
});
