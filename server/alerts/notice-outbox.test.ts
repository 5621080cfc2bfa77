import { describe, expect, it } from 'vitest';
import { migratedStoreForFile } from '../../tests/helpers/temp-store.ts';
import { loadUnsent, sentRow, writeOutbox, writtenRow } from './notice-outbox.ts';

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
    expect(messages[0]).toEqual(message('a'));
    expect(more).toBe(0);
  });

  it('says how many it left for the next start beyond its limit', async () => {
    const { messages, more } = await loadUnsent(store.ch, Date.now() - 24 * HOUR, 2);
    expect(messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(more).toBe(1);
  });

  it('writes thousands of notices in slices, none lost', async () => {
    const now = Date.now();
    const many = Array.from({ length: 3_000 }, (_, i) => writtenRow(message(`m${i}`, 'x'.repeat(1_000)), now - HOUR + i));
    await writeOutbox(store.ch, many);
    await writeOutbox(store.ch, many.slice(0, 2_990).map((r) => ({ ...r, state: 'sent' as const, message: '' })));
    const { messages } = await loadUnsent(store.ch, now - 2 * HOUR);
    expect(messages.map((m) => m.id).filter((id) => id.startsWith('m'))).toEqual(Array.from({ length: 10 }, (_, i) => `m${2_990 + i}`));
  });
});
