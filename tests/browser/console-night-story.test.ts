import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { ROOT, getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';

// Audit CH (the on-call supervisor's night), CH2, CH4 and CH5, on the real monitor, its real
// gateway notices and the console in real Chromium: a case dated 02:30 that reaches the monitor
// late. The console read "开启 02:30 … 上报 → 值班第2级 · on-call policy · 超时未确认", as if nobody had
// been called for hours and the ladder's step were a person's 上报; the gateways' titles said
// 【消保预警·新案】 for the step to level 2 and for the acknowledgement alike.

const dir = mkdtempSync(join(tmpdir(), 'cewm-night-'));
const PLAN = join(dir, 'plan.yaml');
writeFileSync(PLAN, `${readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8')}
alerts:
  onCall:
    levels:
      - { notify: [值班主管], afterMinutes: 0.02 }
      - { notify: [消保部负责人], afterMinutes: 0.02 }
    repeat: 0
`);

const f = consoleFixture({ PLAN, ALERT_TICK_MS: '300' });

interface Notice { id: string; status: string; change: Array<{ what: string; by: string | null }>; notice: { title: string; text: string } }

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `11-28 11:35` of an ISO time in the plan's zone (this year's, as the console writes it) */
const consoleTime = (iso: string) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;

describe('console - the night\'s story', () => {
  it('a case dated 02:30 that arrives late: when the people on duty were told, the ladder\'s step and the acknowledgement in their words', async () => {
    const heard: Notice[] = [];
    const sub = f.nc.subscribe('complaints.alerts.>', { callback: (_e, m) => void heard.push(m.json<Notice>()) });
    await f.nc.flush();
    await publishEvents(f.nc, [event('n-1', 'NIGHT-1', { occurredAt: '2025-05-06T02:30:00+08:00' })]);
    const mine = () => heard.filter((n) => n.id === 'case.NIGHT-1');
    // the ladder climbs to level 2 after 1.2 s; the titles say what each notice is (CH4); a case of 2025 is 超期 by now
    const step = await until('the step to level 2', () => mine().find((n) => n.change.some((c) => c.what === 'escalated')));
    expect(mine().find((n) => n.change.some((c) => c.what === 'opened'))!.notice.title).toBe('【消保预警·超期】代理保险争议 · 上海分行 · 工单 NIGHT-1：新预警');
    expect(step.notice.title).toBe('【消保预警·超期】代理保险争议 · 上海分行 · 工单 NIGHT-1：超时未确认，呼叫值班第2级');

    const { body: alert } = await getJson(f.monitor, '/api/alerts/case.NIGHT-1', { headers: { authorization: `Bearer ${SUP}` } });
    expect(alert.openedAt).toBe('2025-05-06T02:30:00.000+08:00');
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    const item = page.locator('li[data-id="case.NIGHT-1"]');
    await item.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => /值班第2级/.test(document.querySelector('li[data-id="case.NIGHT-1"]')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await item.click();
    await page.locator('#detail .history li.first-notice').waitFor({ timeout: 10_000 });
    // CH2: the pane and the history say when the people on duty were first told
    expect(await page.locator('#d-times').innerText()).toBe(`开启 2025-05-06 02:30 · 首次通知值班 ${consoleTime(alert.raisedAt)}`);
    // the history in time order: the facts of 2025 (opened, then 无进展 and 超期 by their dates), the first notice, the ladder's step
    const lines = await page.locator('#detail .history li').allInnerTexts();
    const stepAt = alert.history.find((h: { what: string }) => h.what === 'escalated').at;
    const told = lines.indexOf(`${consoleTime(alert.raisedAt)} 首次通知值班 · 值班规则`);
    // CH5: the ladder's step is the duty rules', not a person's 上报, and not the code `on-call policy`
    const stepped = lines.indexOf(`${consoleTime(stepAt)} 超时未确认，自动呼叫值班第2级：消保部负责人 · 值班规则`);
    expect(lines[0]).toBe('2025-05-06 02:30 开启 [新案]');
    expect({ told, stepped }).toEqual({ told: lines.length - 2, stepped: lines.length - 1 });
    expect(lines.join('\n')).not.toMatch(/上报|on-call policy|升级/);

    // acknowledged from the console: its notice's title says so, not 新案 again (CH4)
    await page.fill('#me', '王主管');
    await page.selectOption('form[data-action="ack"] select', 'contacting_customer');
    await page.click('form[data-action="ack"] button');
    await page.waitForFunction(() => document.querySelector('#d-status')?.textContent === '已确认', undefined, { timeout: 15_000 });
    const acked = await until('the acknowledgement\'s notice', () => mine().find((n) => n.change.some((c) => c.what === 'acknowledged')));
    expect(acked.notice.title).toBe('【消保预警·超期】代理保险争议 · 上海分行 · 工单 NIGHT-1：已确认（王主管）');
    expect(errors).toEqual([]);
    sub.unsubscribe();
  });
});
