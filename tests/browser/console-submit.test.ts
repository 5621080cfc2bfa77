// The console's submit flows (web/console/submit.js) where they run: imported by a real Chromium
// page, over a fake pane, api and page state, so that the order of what they do is seen whole.
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';

const { withModule } = modulePage();

// Runs `flow` (a body over `flows`, `log`, `alerts`, `form`) with fakes that log every call;
// `answers` maps a path to what the fake api answers ({ throw: {...} } rejects with that error).
const run = (answers: Record<string, unknown>, flow: string, staleText: string | null = null) =>
  withModule<string[]>('/console/submit.js', `(async () => {
    const { LiveMarks } = await import('/console/freshness.js');
    const log = [];
    const answers = ${JSON.stringify(answers)};
    const alerts = new Map([['a1', { id: 'a1', status: 'open' }]]);
    const api = async (path, body) => {
      log.push('api ' + path + (body ? ' ' + JSON.stringify(body) : ''));
      const answer = answers[path];
      if (answer?.throw) throw Object.assign(new Error(answer.throw.message), answer.throw);
      return answer;
    };
    const sendCorrection = async (body) => api('/api/corrections', body);
    const pane = {
      staleAction: (a, action) => (log.push('staleAction ' + a?.id + ' ' + action), ${JSON.stringify(staleText)}),
      sending: (id) => log.push('sending ' + id),
      answered: (id, status) => log.push('answered ' + id + ' ' + status),
    };
    const form = { dataset: { action: 'ack' }, reset: () => log.push('reset') };
    let notice = null;
    // every answer is said on the alert it is about (the person may have selected another since)
    const say = (text, id) => { notice = { id, text }; log.push('say ' + text + (id === 'a1' ? '' : ' on ' + id)); };
    const until = (done) => new Promise((resolve) => { const t = setInterval(() => done() && (clearInterval(t), resolve()), 20); });
    const flows = m.submitFlows({
      api, sendCorrection, pane, alerts, liveMarks: new LiveMarks(), render: () => log.push('render'),
      upsert: (a) => { log.push('upsert ' + a.id + ' ' + a.status); alerts.set(a.id, a); },
      say, lastSaid: () => notice,
    });
    ${flow}
    return log;
  })()`);

const NOT_STORED = { throw: { message: 'alert log unavailable', code: 'ALERT_LOG_UNAVAILABLE', answer: { keptOnDisk: true } } };

describe('console submit', () => {
  it('withoutEmpty - drops only the named fields left empty, keeps the order, leaves the fields as they were', async () => {
    const out = await withModule<unknown[]>('/console/submit.js', `(() => {
      const fields = { by: '王', outcome: '', reason: 'r', note: '' };
      return [JSON.stringify(m.withoutEmpty(fields, 'outcome', 'reason')), JSON.stringify(fields)];
    })()`);
    expect(out).toEqual(['{"by":"王","reason":"r","note":""}', '{"by":"王","outcome":"","reason":"r","note":""}']);
  });

  it('words - not stored yet says whether the monitor kept the action on its disk', async () => {
    const out = await withModule<string[]>('/console/words.js', `[m.notYetStoredText(true, 'x'), m.notYetStoredText(undefined, 'y')]`);
    expect(out[0]).toMatch(/已暂存于监测本机磁盘.* — x$/);
    expect(out[1]).toMatch(/本机磁盘也无法暂存.* — y$/);
  });

  it('an action is sent without an empty note; its answer is shown, the form emptied, the pane told the status', async () => {
    const log = await run({ '/api/alerts/a1/ack': { id: 'a1', status: 'acknowledged' } },
      `await flows.submitAction(form, 'a1', { by: '王', reason: 'investigating', note: '' });`);
    expect(log).toEqual(['staleAction a1 ack', 'sending a1', 'api /api/alerts/a1/ack {"by":"王","reason":"investigating"}',
      'upsert a1 acknowledged', 'reset', 'answered a1 acknowledged', 'render']);
  });

  it('an action filled in for an alert that changed is not sent: the list is drawn, then why is said', async () => {
    const log = await run({}, `await flows.submitAction(form, 'a1', { by: '王' });`, 'changed');
    expect(log).toEqual(['staleAction a1 ack', 'render', 'say changed']);
  });

  it('a refused action says the server\'s message, leaves the form as filled in and tells the pane no status', async () => {
    const log = await run({ '/api/alerts/a1/ack': { throw: { message: 'no', code: 'FORBIDDEN' } } },
      `await flows.submitAction(form, 'a1', { by: '王' });`);
    expect(log).toEqual([
      'staleAction a1 ack', 'sending a1', 'api /api/alerts/a1/ack {"by":"王"}', 'say no', 'answered a1 undefined', 'render',
    ]);
  });

  it('an action refused because another change came first shows the alert as it is now and says who changed it (audit CT4)', async () => {
    const now = { id: 'a1', status: 'resolved', history: [{ at: '2026-11-27T14:50:00.000+08:00', what: 'resolved', by: '李主管' }, { at: '2026-11-27T14:51:00.000+08:00', what: 'note', by: '赵' }] };
    const log = await run({ '/api/alerts/a1/ack': { throw: { message: 'alert is resolved; only an open alert can be acknowledged', code: 'NOT_OPEN' } }, '/api/alerts/a1': now },
      `await flows.submitAction(form, 'a1', { by: '王' });`);
    expect(log.slice(0, 5)).toEqual(['staleAction a1 ack', 'sending a1', 'api /api/alerts/a1/ack {"by":"王"}', 'api /api/alerts/a1', 'upsert a1 resolved']);
    expect(log[5]).toMatch(/^say 此预警刚由李主管解除（.*14:50.*），现为「已解除」；你的确认未生效，请核对后再提交。The alert was just changed \(resolved, by 李主管\)/);
    expect(log.slice(6)).toEqual(['answered a1 undefined', 'render']);
  });

  it('an action not stored yet empties the form, says so, and says it is stored once no alert log row waits', async () => {
    const log = await run({ '/api/alerts/a1/ack': NOT_STORED, '/api/health': { alertLog: { rowsWaiting: 0 } } },
      `await flows.submitAction(form, 'a1', { by: '王' });
       await until(() => log.some((line) => line.startsWith('say 已存档')));`);
    expect(log.map((line) => line.replace(/^say 已生效.*/, 'say not stored yet'))).toEqual([
      'staleAction a1 ack', 'sending a1', 'api /api/alerts/a1/ack {"by":"王"}',
      'reset', 'say not stored yet', 'answered a1 open', 'render',
      'api /api/health', 'say 已存档：ClickHouse 已恢复，此前的操作已写入预警日志 · stored in the alert log', 'render',
    ]);
  });

  it('an action not stored yet: once something else was said, that it is stored is not said over it', async () => {
    const log = await run({ '/api/alerts/a1/ack': NOT_STORED, '/api/health': { alertLog: { rowsWaiting: 0 } } },
      `await flows.submitAction(form, 'a1', { by: '王' });
       say('请先填写你的名字 Enter your name first', 'a1');
       await until(() => log.includes('api /api/health'));
       await new Promise((resolve) => setTimeout(resolve, 0));`);
    expect(log.slice(-2)).toEqual(['say 请先填写你的名字 Enter your name first', 'api /api/health']);
  });

  it('a correction is sent without its empty fields; the pane is told no status, and the list is not drawn', async () => {
    const log = await run({ '/api/corrections': { eventId: 'corr-1' } },
      `form.dataset.action = 'correct'; await flows.submitCorrection(form, 'a1', { by: '王', ticketId: 'T1', outcome: '', reason: '' });`);
    expect(log).toEqual([
      'sending a1', 'api /api/corrections {"by":"王","ticketId":"T1"}', 'reset', 'say 已提交更正 corr-1 — correction sent',
      'answered a1 undefined',
    ]);
  });

  it('a refused correction says why and keeps the form', async () => {
    const log = await run({ '/api/corrections': { throw: { message: 'bad ticket', code: 'BAD' } } },
      `await flows.submitCorrection(form, 'a1', { by: '王', ticketId: 'T1', outcome: 'agreed' });`);
    expect(log).toEqual([
      'sending a1', 'api /api/corrections {"by":"王","ticketId":"T1","outcome":"agreed"}', 'say bad ticket', 'answered a1 undefined',
    ]);
  });
});
