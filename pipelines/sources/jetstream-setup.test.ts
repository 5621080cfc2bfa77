import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { startTestNats } from '../../tests/helpers/nats.ts';
import { ensureStream, STREAM } from './jetstream.ts';
import { TICKET_SUBJECTS } from './jetstream-setup.ts';

// The COMPLAINTS stream's retention (audit W F2: it kept every event for ever until the broker's
// store was full), on a real nats-server of its own per test.

describe('jetstream source - stream retention', () => {
  const DAY_NS = 86_400_000 * 1e6;
  it('creates the stream with the retention (90 days by default), and brings an existing one to it', async () => {
    const other = await startTestNats();
    try {
      const conn = await other.connect();
      const jsm = await jetstreamManager(conn);
      await ensureStream(jsm);
      expect((await jsm.streams.info(STREAM)).config.max_age).toBe(90 * DAY_NS);
      // a stream made before the retention (no age limit, audit W F2): limited from the next start
      await jsm.streams.update(STREAM, { ...(await jsm.streams.info(STREAM)).config, max_age: 0 });
      await ensureStream(jsm, { maxAgeMs: 30 * 86_400_000 });
      const config = (await jsm.streams.info(STREAM)).config;
      expect(config.max_age).toBe(30 * DAY_NS);
      expect(config.subjects).toEqual([TICKET_SUBJECTS]);
      expect(config.duplicate_window).toBe(120_000 * 1e6);
      await ensureStream(jsm, { maxAgeMs: 0 }); // STREAM_MAX_AGE_DAYS=0: kept for ever
      expect((await jsm.streams.info(STREAM)).config.max_age).toBe(0);
      await conn.close();
    } finally {
      await other.cleanup();
    }
  });

  it('keeps an operator\'s subjects when it sets the age limit', async () => {
    const other = await startTestNats();
    try {
      const conn = await other.connect();
      const jsm = await jetstreamManager(conn);
      await jsm.streams.add({ name: STREAM, subjects: [TICKET_SUBJECTS, 'complaints.other.>'], max_bytes: 1 << 30 });
      await ensureStream(jsm, { maxAgeMs: 7 * 86_400_000 });
      const config = (await jsm.streams.info(STREAM)).config;
      expect([config.subjects, config.max_bytes, config.max_age]).toEqual([[TICKET_SUBJECTS, 'complaints.other.>'], 1 << 30, 7 * DAY_NS]);
      await conn.close();
    } finally {
      await other.cleanup();
    }
  });
});
