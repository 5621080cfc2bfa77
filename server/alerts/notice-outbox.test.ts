import { describe, expect, it } from 'vitest';
import { migratedStoreForFile } from '../../tests/helpers/temp-store.ts';
import { loadUnsent, sentRow, sortUnsent, writeOutbox, writtenRow } from './notice-outbox.ts';

// The outbox on the real embedded engine: what was written and never marked sent comes back,
// oldest first, with its subject and message as written (tabs, newlines, Chinese, quotes).

const store = migratedStoreForFile('cewm-outbox-');
const HOUR = 3600_000;
const message = (id: string, text = `{"noticeId":"${id}","notice":{"text":"【消保预警·严重超标】购车分期\\t广州分行\\n'引号'"}}`) => ({ id, subject: `complaints.alerts.auto_loan.GZ`, data: text });

describe('alert notice outbox', () => {
  it('gives back what was written since a time and never marked sent, oldest first', async () => {
    const now = Date.now();
    await writeOutbox(store.ch, [
      writtenRow(message('too-old'), now - 30 * HOUR),
      writtenRow(message('b'), now - 2 * HOUR),
      writtenRow(message('a'), now - 3 * HOUR),
      writtenRow(message('sent'), now - HOUR),
      writtenRow(message('twice'), now - HOUR), // written by two runs, one of which sent it
    ]);
    await writeOutbox(store.ch, [sentRow(message('sent'), now), writtenRow(message('twice'), now), sentRow(message('twice'), now), writtenRow(message('c'), now)]);
    const { messages, more } = await loadUnsent(store.ch, now - 24 * HOUR);
    expect(messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(messages[0]).toEqual({ ...message('a'), writtenAtMs: now - 3 * HOUR });
    expect(more).toBe(0);
  });

  it('says how many it left for the next start beyond its limit', async () => {
    const { messages, more } = await loadUnsent(store.ch, Date.now() - 24 * HOUR, 2);
    expect(messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(more).toBe(1);
  });

  // Verify AH 2: notices written together share `at`; ordered by their ids (hashes) a start sent
  // an alert's "10 人" before its "9 人", and the gateway's last word was the older figure.
  it('gives back notices written together in the order they were written', async () => {
    const at = Date.now() - 5 * HOUR;
    const together = ['z-first', 'm-second', 'a-third'].map((id, seq) => writtenRow(message(id), at, seq));
    await writeOutbox(store.ch, together);
    const { messages } = await loadUnsent(store.ch, at - 1);
    expect(messages.map((m) => m.id).filter((id) => id.includes('-'))).toEqual(['z-first', 'm-second', 'a-third']);
    await writeOutbox(store.ch, together.map((r) => sentRow({ id: r.notice_id }, at + 1)));
  });

  it('writes thousands of notices in slices, none lost', async () => {
    const now = Date.now();
    const many = Array.from({ length: 3_000 }, (_, i) => writtenRow(message(`m${i}`, 'x'.repeat(1_000)), now - HOUR + i));
    await writeOutbox(store.ch, many);
    await writeOutbox(store.ch, many.slice(0, 2_990).map((r) => ({ ...r, state: 'sent' as const, message: '' })));
    const { messages } = await loadUnsent(store.ch, now - 2 * HOUR);
    expect(messages.map((m) => m.id).filter((id) => id.startsWith('m'))).toEqual(Array.from({ length: 10 }, (_, i) => `m${2_990 + i}`));
  });

  // Verify AE 2 and 3: a start sent "已指派" for an assignment whose row was never written (the
  // request had failed), and an old "新预警" after the "已解除" the people already had.
  it('sorts out what a start must not send again: changes never logged, notices a later sent one replaced', async () => {
    const now = Date.now();
    const notice = (id: string, alert: string, entry: string) => ({ id, subject: 'complaints.alerts.t.SH', data: JSON.stringify({ id: alert, change: [{ id: entry }], notice: { title: `【消保预警】${id}`, text: `【消保预警】${id}：…` } }) });
    const logged = (alert: string, entry: string) => ({ logged_at: '2026-01-01 00:00:00.000', at: '2026-01-01 00:00:00.000', plan_year: 2026, alert_id: alert, entry_id: entry, kind: 'case', complaint_type: 't', scope: 'SH', ticket_id: '', what: 'opened', actor: '', reason: '', before: '', after: '', status: 'open', level: 'watch', detail: '{}', snapshot: '{}' });
    await store.ch.insert({ table: 'complaints.alert_log', values: [logged('case.A', 'a/opened'), logged('case.B', 'b/opened'), logged('case.B', 'b/resolved')], format: 'JSONEachRow' });
    const opened = notice('n-a', 'case.A', 'a/opened'); // logged, never sent: sent again
    const assigned = notice('n-assign', 'case.A', 'a/assign/never-written'); // never logged
    const bOpened = notice('n-b1', 'case.B', 'b/opened'); // logged, unsent; a later notice of B was sent
    const bResolved = notice('n-b2', 'case.B', 'b/resolved');
    await writeOutbox(store.ch, [writtenRow(opened, now - 40_000), writtenRow(assigned, now - 30_000), writtenRow(bOpened, now - 20_000), writtenRow(bResolved, now - 10_000), sentRow(bResolved, now - 9_000)]);
    const { messages } = await loadUnsent(store.ch, now - 60_000);
    const sorted = await sortUnsent(store.ch, messages.filter((m) => m.id.startsWith('n-')), now - 60_000);
    expect(sorted.resend.map((m) => m.id)).toEqual(['n-a']);
    expect(sorted.unlogged.map((m) => m.id)).toEqual(['n-assign']);
    expect(sorted.superseded.map((m) => m.id)).toEqual(['n-b1']);
    const late = JSON.parse(sorted.resend[0]!.data);
    expect(late).toMatchObject({ id: 'case.A', resent: true, notice: { title: '【补发】【消保预警】n-a' } });
    // marked dropped, they do not come back at the next start
    await writeOutbox(store.ch, [sentRow(assigned, now, 'dropped'), sentRow(bOpened, now, 'dropped')]);
    expect((await loadUnsent(store.ch, now - 60_000)).messages.map((m) => m.id).filter((id) => id.startsWith('n-'))).toEqual(['n-a']);
  });
});
