import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireCfpbCsv, loadCfpb, type CfpbComplaint } from './csv.ts';
import {
  branchOf, CHANNELS, drawOutcomes, channelOf, NOT_AGREED_RATES, outcomeEvidence, PLAN_TYPES, PRODUCT_TYPES, STATE_BRANCHES, typeOf,
} from './mapping.ts';

const complaints = loadCfpb(requireCfpbCsv());
const doc = readFileSync(new URL('../../docs/CFPB-MAPPING.md', import.meta.url), 'utf8');

function complaint(over: Partial<CfpbComplaint>): CfpbComplaint {
  return {
    complaintId: '1', dateReceived: '2019/4/1', product: 'Mortgage', subProduct: '', issue: '', subIssue: '', narrative: '',
    state: 'CA', submittedVia: 'Web', companyResponse: 'Closed with explanation', timely: true, disputed: 'N/A', tags: '',
    ...over,
  };
}

describe('mapping - coverage of the sample', () => {
  it('has an explicit table row for every product in the file', () => {
    for (const c of complaints) {
      expect(PRODUCT_TYPES.some(([p]) => p === c.product), c.product).toBe(true);
      expect(typeOf(c)).toMatch(/^[a-z0-9_]{1,64}$/);
      expect(typeOf(c)).not.toBe('other');
    }
  });
  it('maps every listed state and channel explicitly; only empty states fall to the default', () => {
    const listed = new Set(Object.values(STATE_BRANCHES).flat());
    for (const c of complaints) {
      if (c.state) expect(listed.has(c.state), c.state).toBe(true);
      expect(CHANNELS[c.submittedVia], c.submittedVia).toBeDefined();
      expect(branchOf(c.state)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    }
  });
  it('gives every plan type tickets, insurance disputes rarely', () => {
    const counts = new Map<string, number>();
    for (const c of complaints) counts.set(typeOf(c), (counts.get(typeOf(c)) ?? 0) + 1);
    for (const t of PLAN_TYPES) expect(counts.get(t) ?? 0).toBeGreaterThan(0);
    expect(counts.get('insurance_dispute')).toBeLessThan(30);
    expect(counts.get('mortgage_prepayment')).toBeGreaterThan(200);
    expect(counts.get('auto_installment')).toBeGreaterThan(50);
  });
  it('puts a share of tickets on a branch that is not in the plan', () => {
    const sz = complaints.filter((c) => branchOf(c.state) === 'SZ').length;
    expect(sz).toBeGreaterThan(50);
    expect(sz).toBeLessThan(complaints.length * 0.1);
  });
});

describe('mapping - rules', () => {
  it('carves insurance disputes out of loans', () => {
    expect(typeOf(complaint({ issue: 'Problem with additional add-on products or services', product: 'Payday loan, title loan, or personal loan' }))).toBe('insurance_dispute');
    expect(typeOf(complaint({ narrative: 'They charged me force-placed INSURANCE.' }))).toBe('insurance_dispute');
    expect(typeOf(complaint({ narrative: 'They lost my payment.' }))).toBe('mortgage_prepayment');
    expect(typeOf(complaint({ product: 'Debt collection', narrative: 'insurance' }))).toBe('debt_collection');
  });
  it('prefers specific sub-products', () => {
    expect(typeOf(complaint({ product: 'Credit card or prepaid card', subProduct: 'General-purpose prepaid card' }))).toBe('prepaid_card');
    expect(typeOf(complaint({ product: 'Credit card or prepaid card', subProduct: 'Store credit card' }))).toBe('credit_card');
    expect(typeOf(complaint({ product: 'Something new' }))).toBe('other');
  });
  it('maps states, unknown states and channels', () => {
    expect(branchOf('CA')).toBe('BJ-HD');
    expect(branchOf('ny')).toBe('BJ-CY');
    expect(branchOf('')).toBe('SZ');
    expect(channelOf('Referral')).toBe('regulator_12378');
    expect(channelOf('Web')).toBe('app');
    expect(channelOf('Carrier pigeon')).toBe('other');
  });
  it('derives first-contact outcomes from the response fields in order', () => {
    const cases: Array<[Partial<CfpbComplaint>, string]> = [
      [{ companyResponse: 'Closed with monetary relief' }, 'agreed'],
      [{ companyResponse: 'Closed with non-monetary relief', timely: false }, 'agreed'],
      [{ disputed: 'Yes' }, 'not_agreed'],
      [{ companyResponse: 'Untimely response', timely: false }, 'not_agreed'],
      [{ timely: false }, 'not_agreed'],
      [{ companyResponse: 'In progress' }, 'not_agreed'],
      [{ disputed: 'No' }, 'agreed'],
      [{}, 'unknown'],
      [{ companyResponse: 'Closed' }, 'unknown'],
    ];
    for (const [over, outcome] of cases) expect(outcomeEvidence(complaint(over)).outcome, JSON.stringify(over)).toBe(outcome);
  });
});

describe('mapping - undetermined outcomes', () => {
  it('marks exactly round(rate × n) per type not agreed, seeded', () => {
    const drawn = drawOutcomes(complaints, 1);
    const unknown = complaints.filter((c) => outcomeEvidence(c).outcome === 'unknown');
    for (const [type, rate] of Object.entries(NOT_AGREED_RATES)) {
      const ofType = unknown.filter((c) => typeOf(c) === type);
      expect(ofType.filter((c) => drawn.has(c))).toHaveLength(Math.round(rate * ofType.length));
    }
    expect([...drawn].every((c) => outcomeEvidence(c).outcome === 'unknown')).toBe(true);
    expect(drawOutcomes(complaints, 1)).toEqual(drawn);
    expect(drawOutcomes(complaints, 2)).not.toEqual(drawn);
  });
});

describe('mapping - docs/CFPB-MAPPING.md repeats the tables', () => {
  it('lists every product row', () => {
    for (const [p, s, t] of PRODUCT_TYPES) expect(doc).toContain(`| ${p} | ${s === '*' ? 'any other' : s} | \`${t}\` |`);
  });
  it('lists every branch row and channel row', () => {
    for (const [b, states] of Object.entries(STATE_BRANCHES)) expect(doc).toContain(`| \`${b}\` | ${states.join(', ')} |`);
    for (const [v, c] of Object.entries(CHANNELS)) expect(doc).toContain(`| ${v} | \`${c}\` |`);
  });
  it('states the rates and that the data is American and re-labelled', () => {
    for (const [t, r] of Object.entries(NOT_AGREED_RATES)) expect(doc).toContain(`| \`${t}\` | ${r} |`);
    expect(doc).toMatch(/American dataset\s+re-labelled, not Chinese bank data/);
  });
});
