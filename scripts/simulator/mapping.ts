import type { Outcome } from '../../pipelines/model.ts';
import type { CfpbComplaint } from './csv.ts';
import { rngFor } from './prng.ts';

// Re-labels the American CFPB sample as tickets of a Chinese bank. The tables below are the
// whole mapping; docs/CFPB-MAPPING.md repeats them word for word (a test keeps the two in step).
// Results on this data are an American dataset re-labelled, not Chinese bank data.

/** Complaint types of the example plan; every other code is stored but not counted. */
export const PLAN_TYPES = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment'] as const;
export const UNCLASSIFIED = 'unclassified';
export const OTHER_TYPE = 'other';

/** [CFPB product, sub-product ('*' = any other), type]. First match wins, so specific rows first. */
export const PRODUCT_TYPES: ReadonlyArray<readonly [string, string, string]> = [
  ['Mortgage', '*', 'mortgage_prepayment'],
  ['Vehicle loan or lease', '*', 'auto_installment'],
  ['Credit reporting, credit repair services, or other personal consumer reports', '*', 'credit_report'],
  ['Credit reporting', '*', 'credit_report'],
  ['Debt collection', '*', 'debt_collection'],
  ['Credit card or prepaid card', 'General-purpose prepaid card', 'prepaid_card'],
  ['Credit card or prepaid card', 'Government benefit card', 'prepaid_card'],
  ['Credit card or prepaid card', 'Gift card', 'prepaid_card'],
  ['Credit card or prepaid card', 'Payroll card', 'prepaid_card'],
  ['Credit card or prepaid card', '*', 'credit_card'],
  ['Credit card', '*', 'credit_card'],
  ['Prepaid card', '*', 'prepaid_card'],
  ['Checking or savings account', '*', 'deposit_account'],
  ['Bank account or service', '*', 'deposit_account'],
  ['Student loan', '*', 'student_loan'],
  ['Payday loan, title loan, or personal loan', '*', 'personal_loan'],
  ['Payday loan', '*', 'personal_loan'],
  ['Consumer Loan', 'Vehicle loan', 'auto_installment'],
  ['Consumer Loan', 'Vehicle lease', 'auto_installment'],
  ['Consumer Loan', '*', 'personal_loan'],
  ['Money transfer, virtual currency, or money service', '*', 'payment_transfer'],
  ['Money transfers', '*', 'payment_transfer'],
  ['Virtual currency', '*', 'payment_transfer'],
  ['Other financial service', '*', 'other'],
];

/** Issue that stands for bank-sold insurance in any product (credit insurance, GAP, add-ons). */
export const INSURANCE_ISSUE = 'Problem with additional add-on products or services';
/** Lender-arranged insurance (PMI, force-placed, escrowed home/flood, GAP) inside loan tickets. */
export const INSURANCE_NARRATIVE_PRODUCTS = ['Mortgage', 'Vehicle loan or lease'] as const;

/**
 * The ticket's true type. Insurance disputes are carved out of loan tickets: the plan's strict
 * type must be rare (a handful a year), and insurance bought through the lender is the closest
 * American cousin of insurance sold by a bank as agent (代理保险).
 */
export function typeOf(c: CfpbComplaint): string {
  if (c.issue === INSURANCE_ISSUE) return 'insurance_dispute';
  if ((INSURANCE_NARRATIVE_PRODUCTS as readonly string[]).includes(c.product) && /insurance/i.test(c.narrative)) {
    return 'insurance_dispute';
  }
  for (const [product, sub, type] of PRODUCT_TYPES) {
    if (product === c.product && (sub === '*' || sub === c.subProduct)) return type;
  }
  return OTHER_TYPE;
}

/** US state (or territory) → branch. `SZ` is deliberately not in the plan: it counts toward ALL only. */
export const STATE_BRANCHES: Readonly<Record<string, string[]>> = {
  'BJ-HD': ['CA', 'WA', 'OR', 'NV', 'AZ', 'UT', 'CO', 'HI', 'AK', 'ID', 'MT', 'WY', 'NM'],
  'BJ-CY': ['NY', 'NJ', 'CT', 'MA', 'PA', 'DC', 'MD', 'VA', 'DE', 'RI', 'NH', 'VT', 'ME'],
  BJ: ['IL', 'OH', 'MI', 'IN', 'WI', 'MN', 'MO', 'IA', 'KS', 'NE', 'ND', 'SD', 'KY', 'WV'],
  SH: ['TX', 'OK', 'LA', 'AR'],
  GZ: ['FL', 'GA', 'NC', 'SC', 'AL', 'TN', 'MS'],
  SZ: ['PR', 'VI', 'GU', 'AS', 'MP', 'AE', 'AP', 'AA', 'FM', 'MH', 'PW'],
};
/** Branch of rows with no state or a state not listed above. */
export const DEFAULT_BRANCH = 'SZ';

const BRANCH_OF_STATE = new Map<string, string>(
  Object.entries(STATE_BRANCHES).flatMap(([branch, states]) => states.map((s) => [s, branch] as const)),
);

export function branchOf(state: string): string {
  return BRANCH_OF_STATE.get(state.trim().toUpperCase()) ?? DEFAULT_BRANCH;
}

/** CFPB 'Submitted via' → intake channel. */
export const CHANNELS: Readonly<Record<string, string>> = {
  Web: 'app',
  'Web Referral': 'app',
  Phone: 'phone',
  Referral: 'regulator_12378',
  'Postal mail': 'branch',
  Fax: 'branch',
  Email: 'email',
};
export const REGULATOR_CHANNEL = 'regulator_12378';

export function channelOf(submittedVia: string): string {
  return CHANNELS[submittedVia] ?? 'other';
}

/** What CFPB's response fields say about the first contact; 'unknown' is decided by a seeded draw. */
export type OutcomeEvidence = { outcome: Outcome; rule: string } | { outcome: 'unknown'; rule: string };

/**
 * First-contact outcome from the company-response fields, in this order:
 * relief given → agreed; consumer disputed → not agreed; no timely response → not agreed;
 * still in progress → not agreed; consumer did not dispute → agreed; otherwise unknown.
 */
export function outcomeEvidence(c: CfpbComplaint): OutcomeEvidence {
  const r = c.companyResponse;
  if (r === 'Closed with monetary relief' || r === 'Closed with non-monetary relief' || r === 'Closed with relief') {
    return { outcome: 'agreed', rule: 'relief' };
  }
  if (c.disputed === 'Yes') return { outcome: 'not_agreed', rule: 'disputed' };
  if (r === 'Untimely response' || !c.timely) return { outcome: 'not_agreed', rule: 'untimely' };
  if (r === 'In progress') return { outcome: 'not_agreed', rule: 'in_progress' };
  if (c.disputed === 'No') return { outcome: 'agreed', rule: 'not_disputed' };
  return { outcome: 'unknown', rule: 'explanation_only' };
}

/**
 * Probability of not_agreed when the evidence is unknown ('Closed with explanation', dispute not
 * recorded). Chosen so that, with the example plan's allowances (80 / 4 / 40 a year), seed 1 shows
 * a mix of ok, watch and breach cells across branches; the CFPB data cannot tell us the true rate.
 */
export const NOT_AGREED_RATES: Readonly<Record<string, number>> = {
  mortgage_prepayment: 0.2,
  insurance_dispute: 0.15,
  auto_installment: 0.45,
};
export const DEFAULT_NOT_AGREED_RATE = 0.3;

/**
 * Which complaints of unknown outcome are not agreed: exactly round(rate × n) per type, chosen by
 * a seeded shuffle. Independent coin flips would let a small strict type swing from 0 to 7
 * between seeds; a fixed count keeps every seed's demo comparable.
 */
export function drawOutcomes(
  complaints: readonly CfpbComplaint[], seed: number, rates: Readonly<Record<string, number>> = NOT_AGREED_RATES, salt = '',
): Set<CfpbComplaint> {
  const byType = new Map<string, CfpbComplaint[]>();
  for (const c of complaints) {
    if (outcomeEvidence(c).outcome !== 'unknown') continue;
    const type = typeOf(c);
    const list = byType.get(type);
    if (list) list.push(c);
    else byType.set(type, [c]);
  }
  const out = new Set<CfpbComplaint>();
  for (const [type, list] of byType) {
    const r = rngFor(seed, 'outcomes', type, salt);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [list[i], list[j]] = [list[j] as CfpbComplaint, list[i] as CfpbComplaint];
    }
    const rate = rates[type] ?? DEFAULT_NOT_AGREED_RATE;
    list.slice(0, Math.round(rate * list.length)).forEach((c) => out.add(c));
  }
  return out;
}
