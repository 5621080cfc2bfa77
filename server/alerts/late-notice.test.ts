import { describe, expect, it } from 'vitest';
import { lateNoticeData } from './late-notice.ts';

// Verify AG N4: a notice resent at a start named the people of the ladder it was written under,
// though the start's plan had another: a gateway routing by onCall.notify paged a person no longer
// on the plan.

const ladder = { levels: [{ notify: ['王值班'], afterMinutes: 15 }, { notify: ['消保部负责人'], afterMinutes: 30 }], repeat: 0 };
const ctx = { ladder, timezone: 'Asia/Shanghai' };
const writtenAtMs = Date.parse('2026-11-27T05:50:12.000Z'); // 13:50 in Shanghai
const body = (status: string, level: number, notify: string[], text: string) =>
  JSON.stringify({ id: 'level.t.GZ', status, onCall: { level, round: 0, since: '…', notify }, noticeId: 'n1', notice: { title: '【消保预警】按揭 · 广州分行', text } });

describe('a notice sent late', () => {
  it('names the people the plan in force has on call for its level, in its fields and its words, and says when it was written', () => {
    const text = '【消保预警】按揭 · 广州分行：工单 RO-1；现呼叫值班第2级：分管行领导、全体管理员。';
    const late = JSON.parse(lateNoticeData(body('open', 2, ['分管行领导', 'role:admin'], text), writtenAtMs, ctx));
    expect(late.onCall).toMatchObject({ level: 2, notify: ['消保部负责人'] });
    expect(late.notice.text).toBe('【补发】【消保预警】按揭 · 广州分行：工单 RO-1；现呼叫值班第2级：消保部负责人（按现行预案）。（原写于11-27 13:50）');
    expect(late.notice.title).toBe('【补发】【消保预警】按揭 · 广州分行');
    expect(late).toMatchObject({ resent: true, writtenAt: '2026-11-27T13:50:12.000+08:00', noticeId: 'n1' });
  });

  it('a level the ladder no longer has: its last level', () => {
    const late = JSON.parse(lateNoticeData(body('open', 3, ['行长'], '…；现呼叫值班第3级：行长。'), writtenAtMs, ctx));
    expect(late.onCall).toMatchObject({ level: 2, notify: ['消保部负责人'] });
    expect(late.notice.text).toBe('【补发】…；现呼叫值班第2级：消保部负责人（按现行预案）。（原写于11-27 13:50）');
  });

  it('the same people: the words as written; resolved or acknowledged words are not touched', () => {
    const same = JSON.parse(lateNoticeData(body('open', 1, ['王值班'], '…；现呼叫值班第1级：王值班。'), writtenAtMs, ctx));
    expect(same.notice.text).toBe('【补发】…；现呼叫值班第1级：王值班。（原写于11-27 13:50）');
    const resolved = JSON.parse(lateNoticeData(body('resolved', 2, ['分管行领导'], '…已解除。'), writtenAtMs, ctx));
    expect(resolved.onCall.notify).toEqual(['分管行领导']);
    expect(resolved.notice.text).toBe('【补发】…已解除。（原写于11-27 13:50）');
  });

  it('data that is not JSON goes as it was', () => {
    expect(lateNoticeData('not json', writtenAtMs, ctx)).toBe('not json');
  });
});
