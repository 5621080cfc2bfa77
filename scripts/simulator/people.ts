import { chance, digits, intBetween, pick, type Rng } from './prng.ts';

// Synthetic customers. Every value is drawn from the seeded PRNG and belongs to nobody; the
// formats are realistic (ID-card check digit, Luhn-valid card numbers) so that the monitor's
// masking is exercised on numbers that look exactly like real ones.

export interface SyntheticCustomer {
  customerId: string;
  name: string;
  phone: string;
  idNumber: string;
  cardNumber: string;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '罗'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '桂英', '建华', '志强', '海燕', '晓东', '子涵', '雨桐', '浩然'];
const MOBILE_PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '158', '159', '182', '186', '187', '188', '189', '177', '199'];
/** Household-registration area codes near each branch, so ID numbers look local. */
const AREA_CODES: Record<string, string[]> = {
  BJ: ['110101', '110102', '110106'],
  'BJ-HD': ['110108'],
  'BJ-CY': ['110105'],
  SH: ['310101', '310104', '310115'],
  GZ: ['440103', '440104', '440106'],
  SZ: ['440303', '440304', '440305'],
};
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] as string;
}

export function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function fakePhone(rng: Rng): string {
  return pick(rng, MOBILE_PREFIXES) + digits(rng, 8);
}

export function fakeIdNumber(rng: Rng, branch: string): string {
  const area = pick(rng, AREA_CODES[branch] ?? (AREA_CODES.BJ as string[]));
  const y = intBetween(rng, 1950, 2004);
  const m = intBetween(rng, 1, 12);
  const d = intBetween(rng, 1, 28);
  const first17 = `${area}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${digits(rng, 3)}`;
  return first17 + idCheckChar(first17);
}

export function fakeCardNumber(rng: Rng): string {
  const partial = '622202' + digits(rng, 9);
  return partial + luhnCheckDigit(partial);
}

export function fakeName(rng: Rng): string {
  return pick(rng, SURNAMES) + pick(rng, GIVEN);
}

/**
 * A pool that hands out customers for tickets in arrival order; a share of tickets comes from
 * an earlier customer of the same branch, because repeat complainants are common and must be
 * counted once per type.
 */
export class CustomerPool {
  private readonly byBranch = new Map<string, SyntheticCustomer[]>();
  private readonly ids = new Set<string>();

  constructor(
    private readonly rng: Rng,
    private readonly repeatShare: number,
  ) {}

  next(branch: string): SyntheticCustomer {
    const known = this.byBranch.get(branch) ?? [];
    if (known.length > 0 && chance(this.rng, this.repeatShare)) {
      // Recent customers are likelier to complain again than those from months ago.
      const back = Math.min(known.length, 50);
      return known[known.length - 1 - Math.floor(this.rng() * back)] as SyntheticCustomer;
    }
    let customerId: string;
    do customerId = `CUST${digits(this.rng, 10)}`;
    while (this.ids.has(customerId));
    this.ids.add(customerId);
    const customer: SyntheticCustomer = {
      customerId,
      name: fakeName(this.rng),
      phone: fakePhone(this.rng),
      idNumber: fakeIdNumber(this.rng, branch),
      cardNumber: fakeCardNumber(this.rng),
    };
    known.push(customer);
    this.byBranch.set(branch, known);
    return customer;
  }
}

/** Sometimes the complainant's own numbers end up in the free text, as in real intake notes. */
export function withPersonalNumbers(text: string, customer: SyntheticCustomer, rng: Rng): string {
  const roll = rng();
  if (roll < 0.15) return `${text}\n客户补充：请回电 ${customer.phone}`;
  if (roll < 0.2) return `${text}\n客户身份证号 ${customer.idNumber}，联系电话 ${customer.phone.slice(0, 3)}-${customer.phone.slice(3, 7)}-${customer.phone.slice(7)}`;
  if (roll < 0.25) {
    const c = customer.cardNumber;
    return `${text}\n涉及银行卡 ${c.slice(0, 4)} ${c.slice(4, 8)} ${c.slice(8, 12)} ${c.slice(12)}`;
  }
  return text;
}
