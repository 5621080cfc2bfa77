import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePlan, parsePlan } from '../../pipelines/plan/index.ts';
import type { MaskedEvent } from '../../pipelines/model.ts';
import type { AlertRecord } from '../../pipelines/rules/index.ts';
import { PLAN_2025 } from '../../tests/helpers/stack.ts';
import { migratedStoreForFile } from '../../tests/helpers/temp-store.ts';
import { recordPlanInForce } from '../plan-in-force.ts';
import { carriedEvent, carriedStrict, loadCarried, storedStrictTypes } from './carried-year.ts';
import { yearBeforeNames } from './year-before-names.ts';
import { ticketsToKeep } from './change-routing.ts';

// Audit CQ1: the cases carried from the year before are judged by that year's plan (the last one
// stored in force for it, sql/028), not by the loaded plan, where their type may be relative.

const text = readFileSync(PLAN_2025, 'utf8');
const autoStrict = (t: string) => t.replace(/(code: auto_installment\n\s+name: \S+\n\s+mode: )relative/, '$1strict');
const plan2025 = compilePlan(parsePlan(text, 'plan-2025.yaml'));
const plan2025Auto = compilePlan(parsePlan(autoStrict(text), 'plan-2025-auto.yaml'));
const plan2026 = compilePlan(parsePlan(text.replace(/^year: 2025$/m, 'year: 2026'), 'plan-2026.yaml'));
const store = migratedStoreForFile('cewm-carried-year-');

const rec = (ticketId: string, complaintType: string, openedAt: string, status: AlertRecord['status'] = 'open') =>
  ({ id: `case.${ticketId}`, kind: 'case', ticketId, complaintType, scope: 'SH', status, openedAtMs: Date.parse(openedAt) }) as AlertRecord;

describe('cases of the year before - judged by its plan', () => {
  it('reads the strict types of the last plan stored in force for the year, and nothing when none is', async () => {
    expect(autoStrict(text)).not.toBe(text);
    expect(await storedStrictTypes(store.ch, 2025)).toBeUndefined();
    await recordPlanInForce(store.ch, plan2025, Date.parse('2025-03-01T00:00:00Z'), 'start');
    await recordPlanInForce(store.ch, plan2025Auto, Date.parse('2025-09-01T00:00:00Z'), 'change');
    await recordPlanInForce(store.ch, plan2026, Date.parse('2026-01-02T00:00:00Z'), 'start');
    expect(await storedStrictTypes(store.ch, 2025)).toEqual(new Set(['insurance_dispute', 'auto_installment']));
    expect(await storedStrictTypes(store.ch, 2026)).toEqual(new Set(['insurance_dispute']));
    expect(await storedStrictTypes(store.ch, 2024)).toBeUndefined();
    // a start on 2026 keeps 2025's names for the notices of its carried cases (verify CR2)
    const log = { info: () => undefined };
    await loadCarried(store.ch, plan2026, new Set(['insurance_dispute']), [], log);
    expect(yearBeforeNames(2026).types.get('auto_installment')).toBe('购车分期');
    expect(yearBeforeNames(2026).branches.get('SH')).toBe('上海分行');
    await loadCarried(store.ch, { ...plan2026, year: 2025 }, new Set(['insurance_dispute']), [], log); // 2024: none stored
    expect(yearBeforeNames(2025).types.size).toBe(0);
  });

  it('strict for the year before: its stored plan\'s types (else the loaded plan\'s), and those of its cases still open', () => {
    const loaded = new Set(['insurance_dispute']);
    const records = [
      rec('A', 'auto_installment', '2025-12-28T02:00:00Z'), // open case of 2025
      rec('B', 'mortgage_prepayment', '2025-12-20T02:00:00Z', 'resolved'), // closed: says nothing
      rec('C', 'mortgage_prepayment', '2026-01-03T02:00:00Z'), // the plan year's
    ];
    expect(carriedStrict(undefined, loaded, records, plan2026)).toEqual(new Set(['insurance_dispute', 'auto_installment']));
    expect(carriedStrict(new Set(['auto_installment']), loaded, [], plan2026)).toEqual(new Set(['auto_installment']));
  });

  it('the case book keeps an event of a type strict only the year before when it is dated in that year, or corrects', () => {
    const keep = carriedEvent(new Set(['auto_installment']), plan2026);
    const e = (ticketId: string, kind: MaskedEvent['kind'], iso: string, complaintType = 'auto_installment') => ({ ticketId, kind, complaintType, occurredAtMs: Date.parse(iso) });
    const events = [
      e('L1', 'first_contact', '2025-12-30T07:00:00Z'), // late 30 Dec: kept
      e('L2', 'first_contact', '2026-01-03T07:00:00Z'), // the plan year's, relative now: not
      e('L3', 'corrected', '2026-01-04T07:00:00Z'), // a correction to it: kept
      e('L4', 'first_contact', '2025-12-30T07:00:00Z', 'mortgage_prepayment'), // never strict: not
      e('L5', 'first_contact', '2024-12-20T07:00:00Z'), // two years back: not
    ];
    const { kept, arriving } = ticketsToKeep(() => false, new Set(['insurance_dispute']), events, keep);
    expect(kept.map((x) => x.ticketId)).toEqual(['L1', 'L3']);
    expect([...arriving]).toEqual(['L1', 'L3']);
  });
});
