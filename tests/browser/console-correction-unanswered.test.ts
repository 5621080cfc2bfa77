import { describe, expect, it } from 'vitest';
import { openPage } from '../helpers/browser.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { consoleFixture, event, SUP } from './console-fixture.ts';

// Audit AI 2, in the console: a correction sent while the broker hangs may be taken when it
// resumes. The page says so; a person who sends it again meanwhile (the form still holds it)
// sends it with the first try's id, so the ticket has one correction, not two.

const f = consoleFixture();

async function storedCorrections(ticketId: string): Promise<number> {
  const res = await fetch(`${f.monitor.baseUrl}/api/sql?format=csv`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SUP}`, 'content-type': 'text/plain' },
    body: `SELECT count() FROM complaints.ticket_events WHERE ticket_id = '${ticketId}' AND kind = 'corrected'`,
  });
  const lines = (await res.text()).trim().split('\n');
  return Number(lines[lines.length - 1]);
}

describe('console - a correction the broker does not answer', () => {
  it('says it may have been taken; sent again from the page it is one correction', async () => {
    const { page, errors } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('u-1', 'CON-U', {})]);
    const item = page.locator('li[data-id="case.CON-U"]');
    await item.waitFor({ timeout: 30_000 });
    await page.fill('#me', '王主管');
    await item.click();
    const form = page.locator('form[data-action="correct"]');
    await form.locator('select[name="complaintType"]').selectOption('mortgage_prepayment');
    await form.locator('input[name="reason"]').fill('误分类');

    const shown = () => page.locator('#d-error').innerText();
    const idIn = (text: string) => /编号 (corr-[0-9a-f]+)/.exec(text)?.[1];
    await f.nats.pause();
    let first: string;
    let second: string;
    try {
      await form.locator('button').click();
      await page.waitForFunction(() => /may have been taken/.test(document.querySelector('#d-error')?.textContent ?? ''), undefined, { timeout: 30_000 });
      first = await shown();
      // sent again at once, the broker still hung: the same id (or, once the lease has gone
      // unconfirmed, "not sent" at all)
      await page.evaluate(() => { document.querySelector('#d-error')!.textContent = ''; });
      await form.locator('button').click();
      await page.waitForFunction(() => (document.querySelector('#d-error')?.textContent ?? '') !== '', undefined, { timeout: 30_000 });
      second = await shown();
    } finally {
      f.nats.resume();
    }
    expect(idIn(first)).toMatch(/^corr-[0-9a-f]{32}$/);
    if (/may have been taken/.test(second)) expect(idIn(second)).toBe(idIn(first));
    else expect(second).toMatch(/not sent/);
    // the first one is taken as the broker resumes: the case ends, once
    await page.waitForFunction(() => /撤销/.test(document.querySelector('#detail .ended')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await waitConsumed(f.nc);
    expect(await storedCorrections('CON-U')).toBe(1);
    expect(errors.filter((e) => !/status of 503/.test(e))).toEqual([]); // the two answers above
  }, 90_000);

  // Verify AJ N1: the page kept the unanswered try's id for good; the same correction made again
  // later (after another one) went with it and was folded into the first, silently dropped.
  it('sent again after a reload it keeps its id; made again after another one it is a new one', async () => {
    const { page } = await openPage(f.browser, `${f.monitor.baseUrl}/console/?token=${SUP}`, { width: 1366, height: 800 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    await publishEvents(f.nc, [event('u-2', 'CON-V', { complaintType: 'mortgage_prepayment' })]);
    await waitConsumed(f.nc);
    // the page's own module, as the console's forms use it (a string: vitest would rewrite import())
    const send = (branch: string): Promise<string> =>
      page.evaluate(`(async () => {
        const { sendCorrection } = await import('/console/api.js');
        try {
          return (await sendCorrection({ by: '王主管', ticketId: 'CON-V', branch: '${branch}', complaintType: 'mortgage_prepayment' })).eventId;
        } catch (err) {
          return err.code + ' ' + err.message;
        }
      })()`);
    await f.nats.pause();
    let unanswered: string;
    try {
      unanswered = await send('BJ');
    } finally {
      f.nats.resume();
    }
    expect(unanswered).toMatch(/^NATS_PUBLISH_UNCONFIRMED /);
    const firstId = /编号 (corr-[0-9a-f]+)/.exec(unanswered)![1];
    // a reloaded page still sends it again with the same id (verify AL L2)
    await page.reload();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
    expect(await send('BJ')).toBe(firstId);
    expect(await send('GZ')).toMatch(/^corr-/);
    const later = await send('BJ');
    expect(later).toMatch(/^corr-/);
    expect(later).not.toBe(firstId);
    await waitConsumed(f.nc);
    expect(await storedCorrections('CON-V')).toBe(3);
  }, 90_000);
});
