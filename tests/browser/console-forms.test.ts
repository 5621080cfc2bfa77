import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../helpers/browser.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents } from '../helpers/publish.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';
import { holdResponses } from './held-responses.ts';

// What a supervisor is filling in survives live updates (audit AA, P1). Every alert frame, for
// any alert, used to rebuild the detail pane: the acknowledgement's reason went back to the first
// one, the notes emptied, the caret left, and a click then saved the default reason without a
// note. Here live changes land between choosing and clicking, and the saved acknowledgement is
// read back from the monitor.

const f = consoleFixture();
const auth = { headers: { authorization: `Bearer ${SUP}` } };
const alertOf = async (id: string) => (await getJson(f.monitor, `/api/alerts/${id}`, auth)).body;
const ackForm = 'form[data-action="ack"]';
const focusedField = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as HTMLInputElement | null;
  return el?.name ? `${el.form?.dataset.action}:${el.name}` : null;
});

async function openOn(ticketId: string, eventId: string) {
  const opened = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
  await opened.page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
  await publishEvents(f.nc, [event(eventId, ticketId, {})]);
  const item = opened.page.locator(`li[data-id="case.${ticketId}"]`);
  await item.waitFor({ timeout: 30_000 });
  await opened.page.fill('#me', '李主管');
  await item.click();
  await opened.page.locator(`${ackForm} option[value="case_meeting"]`).waitFor({ state: 'attached', timeout: 15_000 });
  return opened;
}

describe('console - forms through live updates', () => {
  it("another alert's frame and the selected alert's own change keep the chosen reason, the notes and the focus", async () => {
    const { page, errors } = await openOn('FORM-1', 'fm-1');
    await page.fill('form[data-action="notice"] input[name="text"]', '请于三日内回访');
    await page.selectOption(`${ackForm} select`, 'case_meeting'); // not the first reason, which a rebuild puts back
    await page.fill(`${ackForm} input[name="note"]`, '已约客户周五面谈');
    expect(await focusedField(page)).toBe('ack:note');
    // a new alert for another ticket comes live and is drawn in the list
    await publishEvents(f.nc, [event('fm-2', 'FORM-2', {})]);
    await page.locator('li[data-id="case.FORM-2"]').waitFor({ timeout: 30_000 });
    // the selected alert's own update: its history grows while the form is being filled in
    await publishEvents(f.nc, [event('fm-1e', 'FORM-1', { kind: 'escalated', outcome: undefined, escalation: 'mediation', occurredAt: '2025-05-07T10:00:00+08:00' })]);
    await page.waitForFunction(() => /工单提交三方调解/.test(document.querySelector('.history')?.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(await page.inputValue(`${ackForm} select`)).toBe('case_meeting');
    expect(await page.inputValue(`${ackForm} input[name="note"]`)).toBe('已约客户周五面谈');
    expect(await page.inputValue('form[data-action="notice"] input[name="text"]')).toBe('请于三日内回访');
    expect(await focusedField(page)).toBe('ack:note');
    await page.click(`${ackForm} button`);
    await page.waitForFunction(() => document.querySelector('#d-status')?.textContent === '已确认', undefined, { timeout: 15_000 });
    const saved = await alertOf('case.FORM-1');
    expect(saved.ack).toMatchObject({ by: '李主管', reason: 'case_meeting' });
    expect(saved.history.find((h: { what: string }) => h.what === 'acknowledged')?.detail?.note).toBe('已约客户周五面谈');
    // the acknowledgement went out and its form is cleared once answered; the notice not yet sent stays as typed
    await page.waitForFunction(() => (document.querySelector('form[data-action="ack"] input[name="note"]') as HTMLInputElement | null)?.value === '', undefined, { timeout: 15_000 });
    expect(await page.inputValue('form[data-action="notice"] input[name="text"]')).toBe('请于三日内回访');
    expect(errors).toEqual([]);
  });

  it('the first list, answering after a note was typed, puts the reasons in without emptying the note', async () => {
    await publishEvents(f.nc, [event('fm-3', 'FORM-3', {})]);
    await expect.poll(async () => (await getJson(f.monitor, '/api/alerts/case.FORM-3', auth)).status, { timeout: 30_000 }).toBe(200);
    const { page, errors } = await openPage(f.browser, 'about:blank', { width: 1366, height: 800 });
    const list = holdResponses(page, (u) => u.pathname === '/api/alerts' && u.searchParams.get('status') === 'open' && !u.searchParams.has('format'));
    await list.install();
    await page.goto(`${f.monitor.baseUrl}/console/?token=${SUP}`);
    await list.fetched;
    await page.locator('li[data-id="case.FORM-3"]').click({ timeout: 30_000 }); // from the /ws snapshot
    const escalateNote = page.locator('form[data-action="escalate"] input[name="note"]');
    await escalateNote.fill('客户要求上级回复'); // the actions are offered once /api/me answered
    expect(await page.locator(`${ackForm} option`).count()).toBe(0); // the reasons come with the list
    list.release();
    await page.locator(`${ackForm} option[value="case_meeting"]`).waitFor({ state: 'attached', timeout: 15_000 });
    expect(await escalateNote.inputValue()).toBe('客户要求上级回复');
    expect(await focusedField(page)).toBe('escalate:note');
    expect(errors).toEqual([]);
  });

  it('acknowledged by someone else while the form is filled in: the pane says so and sends nothing', async () => {
    const { page, errors } = await openOn('FORM-4', 'fm-4');
    await page.selectOption(`${ackForm} select`, 'case_meeting');
    await page.fill(`${ackForm} input[name="note"]`, '我来跟进');
    const other = await getJson(f.monitor, '/api/alerts/case.FORM-4/ack', {
      method: 'POST', headers: { ...auth.headers, 'content-type': 'application/json' }, body: JSON.stringify({ by: '张主管', reason: 'investigating' }),
    });
    expect(other.status).toBe(200);
    const stale = page.locator('#d-stale');
    await stale.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await stale.innerText()).toContain('此预警已由 张主管 确认');
    expect(await page.locator(`${ackForm} button`).isDisabled()).toBe(true);
    expect(await page.inputValue(`${ackForm} input[name="note"]`)).toBe('我来跟进'); // kept, for another action
    // pressing Enter in the note does not send the stale acknowledgement either; a note sent
    // after it shows that the page had its turn to send one
    const posted: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posted.push(new URL(r.url()).pathname); });
    await page.press(`${ackForm} input[name="note"]`, 'Enter');
    await page.fill('form[data-action="note"] input[name="text"]', '已转张主管');
    await page.click('form[data-action="note"] button');
    await page.waitForFunction(() => /已转张主管/.test(document.querySelector('.history')?.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(posted).toEqual(['/api/alerts/case.FORM-4/note']);
    const after = await alertOf('case.FORM-4');
    expect(after.ack).toMatchObject({ by: '张主管', reason: 'investigating' });
    expect(after.history.filter((h: { what: string }) => h.what === 'acknowledged')).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
