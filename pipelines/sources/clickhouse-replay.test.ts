import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { migrate, openClickHouse } from '../../server/clickhouse.ts';
import { ClickHouseSink } from '../sinks/clickhouse.ts';
import { CounterIndex } from '../transforms/counters.ts';
import { testPlan, YEAR_END, YEAR_START } from '../transforms/test-plan.ts';
import { countingFacts, parseCorrections, parseFirstContacts, parseRows, storedEvents } from './clickhouse-replay.ts';

describe('sources - stored events read back', () => {
  it('parses TabSeparated rows, unescaping ids that hold tabs, newlines or backslashes', () => {
    const text = 'e1\tT-1\tfirst_contact\t1735660800000\tBJ\tmortgage_prepayment\tabc\tnot_agreed\n' + 'e\\t2\\\\x\tT\\n2\tcorrected\t1735660900000\tSH\tauto_installment\tdef\t\n';
    const [a, b] = parseRows(text);
    expect(a).toMatchObject({ eventId: 'e1', ticketId: 'T-1', kind: 'first_contact', occurredAtMs: 1735660800000, branch: 'BJ', complaintType: 'mortgage_prepayment', customerHash: 'abc', outcome: 'not_agreed' });
    expect(b).toMatchObject({ eventId: 'e\t2\\x', ticketId: 'T\n2', kind: 'corrected', outcome: undefined });
    expect(parseRows('')).toEqual([]);
  });

  it('parses the counting columns, with and without escapes', () => {
    const fcs: unknown[][] = [];
    parseFirstContacts('T-1\t1735660800000\tabc\tmortgage_prepayment\tBJ\tnot_agreed\nT\\t2\t5\tc\\\\d\tx\tSH\tagreed\nT3\t6\tc\tx\tGZ\t\n', { addFirstContact: (...a) => fcs.push(a) });
    expect(fcs).toEqual([
      ['T-1', 1735660800000, 'abc', 'mortgage_prepayment', 'BJ', 'not_agreed'],
      ['T\t2', 5, 'c\\d', 'x', 'SH', 'agreed'],
      ['T3', 6, 'c', 'x', 'GZ', undefined],
    ]);
    const ks: unknown[][] = [];
    parseCorrections('k\\n1\tT1\t7\tauto_installment\tGZ\t\nk2\tT2\t8\tx\tBJ\tnot_agreed\n', { addCorrection: (...a) => ks.push(a) });
    expect(ks).toEqual([
      ['T1', 'k\n1', 7, 'auto_installment', 'GZ', undefined],
      ['T2', 'k2', 8, 'x', 'BJ', 'not_agreed'],
    ]);
  });
});

describe('sources - the rebuild parse is linear in a page', () => {
  // Pages of a 5M rebuild: ~140k first contacts (~10 MB of text) a month. With one search over
  // the whole page text per row, optimized code spent 20-60 s on each page from the third on
  // (searches ran far past their row); each row's searches now stop within the row.
  it('parses month-sized pages (140k rows, varied types and branches) in seconds, not tens of seconds', () => {
    const types = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment'];
    const branches = ['BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ', 'SZ'];
    const mix = (i: number, s: number) => Math.imul(i ^ s, 0x9e3779b1) >>> 0;
    const page = (p: number) => {
      const rows: string[] = [];
      for (let i = p * 140_000; i < (p + 1) * 140_000; i++) {
        rows.push(`bt-${i}\t${1767196800000 + mix(i, 7) % 2_000_000_000}\t${(mix(i, 3) % 500_000).toString(16).padStart(16, '0')}\t${types[mix(i, 2) % 3]}\t${branches[mix(i, 1) % 6]}\t${mix(i, 4) % 100 < 35 ? 'not_agreed' : 'agreed'}`);
      }
      return rows.join('\n') + '\n';
    };
    let n = 0, notAgreed = 0;
    const sink = { addFirstContact: (_ticket: string, _t: number, _customer: string, _type: string, _branch: string, outcome: string | undefined) => { n++; if (outcome === 'not_agreed') notAgreed++; } };
    const ms: number[] = [];
    for (let p = 0; p < 4; p++) {
      const text = page(p);
      const started = performance.now();
      parseFirstContacts(text, sink);
      ms.push(performance.now() - started);
    }
    expect(n).toBe(560_000);
    expect(notAgreed).toBeGreaterThan(150_000);
    // ~0.1-0.3 s a page here on a loaded machine; the quadratic parse took 20 s and more
    expect(Math.max(...ms.slice(1))).toBeLessThan(5_000);
  }, 120_000);
});

describe('sources - the rebuild read gives the counters of every stored event', () => {
  it('countingFacts equals applying storedEvents, in the embedded engine (duplicates, escapes, corrections outside the year)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-replay-test-'));
    const ch = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
    try {
      await migrate(ch);
      const plan = testPlan();
      const types = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment', 'other'];
      const branches = ['BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ', 'XX'];
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
      const events: MaskedEvent[] = [];
      for (let i = 0; i < 3000; i++) {
        const kind = (['opened', 'first_contact', 'first_contact', 'corrected', 'resolved'] as const)[rnd(5)]!;
        const t = kind === 'corrected' && rnd(4) === 0 ? YEAR_END + rnd(10) * 86_400_000 : YEAR_START - 5 * 86_400_000 + rnd(375) * 86_400_000 + rnd(1000);
        const e: MaskedEvent = {
          eventId: i % 97 === 0 ? `e\t${i}\\x` : `e-${i}`, ticketId: i % 89 === 0 ? `T\n${rnd(400)}` : `T-${rnd(400)}`, kind, occurredAt: new Date(t).toISOString(), occurredAtMs: t,
          branch: branches[rnd(6)]!, complaintType: types[rnd(4)]!, reportedType: '', customerHash: `c${rnd(150)}`, customerMasked: {},
        };
        if (kind === 'first_contact' || kind === 'resolved' || rnd(2) === 0) e.outcome = rnd(3) === 0 ? 'not_agreed' : 'agreed';
        events.push(e);
      }
      const sink = new ClickHouseSink(ch);
      const stored = (xs: MaskedEvent[], at: number) => xs.map((event, k) => ({ event, streamSeq: k + 1, receivedAtMs: at }));
      await sink.writeBatch(stored(events, 1_000), []);
      await sink.writeBatch(stored(events.slice(0, 500), 2_000), []); // stored twice, not folded yet

      const window = { fromMs: YEAR_START, toMs: YEAR_END, pageSize: 300 };
      const reference = new CounterIndex(plan);
      let read = 0;
      for await (const page of storedEvents(ch, window)) {
        reference.apply(page);
        read += page.length;
      }
      const index = new CounterIndex(plan);
      const n = await countingFacts(ch, index, { ...window, recentIds: 100 });
      expect(n).toBe(read);
      for (const type of plan.types) {
        for (const scope of plan.scopes) {
          for (let d = -1; d <= 366; d += 7) {
            const at = YEAR_START + d * 86_400_000;
            expect(index.count(type.code, scope, at), `${type.code}/${scope}@${d}`).toEqual(reference.count(type.code, scope, at));
          }
        }
      }
      expect(reference.count('mortgage_prepayment', 'ALL', YEAR_END).firstContact).toBeGreaterThan(50);
      // the ids received last are known again: their redeliveries are duplicates
      expect(index.size.recentIds).toBe(100);
      expect(events.slice(0, 500).filter((e) => index.has(e.eventId)).length).toBe(100);
    } finally {
      await ch.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('sources - a restart counts unclassified tickets as the live path did', () => {
  it('countingFacts gives the counters of events applied live in any order (classifications of any kind and time, Float32 confidences, repeats)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-replay-class-test-'));
    const ch = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
    try {
      await migrate(ch);
      const plan = testPlan();
      const U = 'unclassified';
      const types = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment', 'other'];
      // thousandths Float32 does not hold exactly, and equal ones decided by eventId
      const confidences = [0, 0.167, 0.333, 0.583, 0.583, 0.7, 1];
      let seed = 11; // xorshift32: its low bits vary, which types[rnd(4)] needs
      const rnd = (n: number) => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) % n);
      const events: MaskedEvent[] = [];
      for (let i = 0; i < 2500; i++) {
        const kind = (['opened', 'first_contact', 'first_contact', 'escalated', 'resolved', 'corrected'] as const)[rnd(i % 50 === 0 ? 6 : 5)]!;
        // some texts come before the year (an `opened` of 31 December)
        const t = YEAR_START - 3 * 86_400_000 + rnd(370) * 86_400_000 + rnd(1000);
        const ticket = rnd(300);
        const unclassified = ticket % 3 !== 0;
        const confidence = confidences[rnd(confidences.length)]!;
        const own = confidence === 0 ? U : types[rnd(4)]!;
        const e: MaskedEvent = {
          eventId: `e-${i}`, ticketId: `T-${ticket}`, kind, occurredAt: new Date(t).toISOString(), occurredAtMs: t,
          branch: ['BJ', 'BJ-HD', 'SH', 'GZ'][rnd(4)]!, complaintType: unclassified ? own : types[rnd(4)]!, reportedType: unclassified ? U : '', customerHash: `c${rnd(120)}`, customerMasked: {},
          classification: unclassified ? { type: own, confidence, modelVersion: 'keywords-v1', needsReview: confidence < 0.6 } : undefined,
        };
        if (!unclassified) e.reportedType = e.complaintType;
        if (kind === 'corrected') [e.complaintType, e.reportedType, e.classification] = [types[rnd(4)]!, types[0]!, undefined];
        if (kind === 'first_contact' || rnd(2) === 0) e.outcome = rnd(3) === 0 ? 'not_agreed' : 'agreed';
        events.push(e);
      }
      const sink = new ClickHouseSink(ch);
      const stored = (xs: MaskedEvent[], at: number) => xs.map((event, k) => ({ event, streamSeq: k + 1, receivedAtMs: at }));

      // live: shuffled, in batches of 1 to 40, with a restart half way (a ticket's text stored
      // before it, its first contact arriving after)
      const live = new CounterIndex(plan);
      const arrival = events.map((e) => ({ e, k: rnd(1_000_000) })).sort((a, b) => a.k - b.k).map((x) => x.e);
      const half = arrival.length / 2;
      let restarted: CounterIndex | undefined;
      for (let at = 0; at < arrival.length;) {
        if (at >= half && !restarted) {
          restarted = new CounterIndex(plan);
          await countingFacts(ch, restarted, { fromMs: YEAR_START, toMs: YEAR_END, pageSize: 200, recentIds: 0 });
        }
        const batch = arrival.slice(at, at + 1 + rnd(40));
        await sink.writeBatch(stored(batch, 1_000), []);
        live.apply(batch);
        restarted?.apply(batch);
        at += batch.length;
      }
      await sink.writeBatch(stored(events.slice(0, 400), 2_000), []); // stored twice, not folded yet
      const rebuilt = new CounterIndex(plan);
      await countingFacts(ch, rebuilt, { fromMs: YEAR_START, toMs: YEAR_END, pageSize: 200, recentIds: 0 });
      const replayed = new CounterIndex(plan);
      for await (const page of storedEvents(ch, { fromMs: YEAR_START, toMs: YEAR_END, pageSize: 200 })) replayed.apply(page);
      for (const type of plan.types) {
        for (const scope of plan.scopes) {
          for (let d = -1; d <= 366; d += 5) {
            const at = YEAR_START + d * 86_400_000;
            const want = live.count(type.code, scope, at);
            expect(rebuilt.count(type.code, scope, at), `${type.code}/${scope}@${d}`).toEqual(want);
            expect(restarted!.count(type.code, scope, at), `restarted ${type.code}/${scope}@${d}`).toEqual(want);
            expect(replayed.count(type.code, scope, at), `replay ${type.code}/${scope}@${d}`).toEqual(want);
          }
        }
      }
      // most first contacts of unclassified tickets have no text of their own, and still count
      const textless = events.filter((e) => e.kind === 'first_contact' && e.reportedType === U && e.complaintType === U).length;
      expect(textless).toBeGreaterThan(50);
      const counted = plan.types.reduce((n, type) => n + live.count(type.code, 'ALL', YEAR_END).firstContact, 0);
      expect(counted).toBeGreaterThan(100);
    } finally {
      await ch.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('sources - stored classifications', () => {
  it("reads a row's own classification; a type borrowed from another event (+ticket, before 2026-11-27) or a correction's is none", () => {
    const row = (kind: string, type: string, confidence: string, model: string) => `e\tT\t${kind}\t5\tSH\t${type}\tc\t\tunclassified\t${confidence}\t${model}\n`;
    const [own, borrowed, corrected, none] = parseRows(row('opened', 'mortgage_prepayment', '0.583', 'keywords-v1') + row('first_contact', 'mortgage_prepayment', '0.583', 'keywords-v1+ticket') + row('corrected', 'x', '\\N', '') + row('first_contact', 'unclassified', '0', 'keywords-v1'));
    expect(own).toMatchObject({ reportedType: 'unclassified', complaintType: 'mortgage_prepayment', classification: { type: 'mortgage_prepayment', confidence: 0.583, needsReview: true } });
    expect(borrowed!.classification).toBeUndefined();
    expect(corrected!.classification).toBeUndefined();
    expect(none!.classification).toMatchObject({ type: 'unclassified', confidence: 0 });
  });
});
