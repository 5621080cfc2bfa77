import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskCardNumber, maskContacts, maskGrouped, maskIdNumber, maskPhone, maskSpacedDigits, maskText, TEXT_PATTERNS } from './mask.ts';

// maskText answers a text whose digits form one run without its five passes: that quick path
// must give what the passes give, for every run length and every prefix a phone pattern reads.
const { SPACED_ID, SPACED_CARD, SPACED_DIGITS, LONG_RUN, PHONE } = TEXT_PATTERNS;
const BIRTH_DATE = /^(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const passes = (text: string) =>
  maskContacts(text
    .replace(SPACED_ID, (m) => maskGrouped(m, 'id'))
    .replace(SPACED_CARD, (m) => maskGrouped(m, 'card'))
    .replace(SPACED_DIGITS, (m) => maskSpacedDigits(m))
    .replace(LONG_RUN, (m) => (m.length === 15 || (m.length === 18 && (/[XxＸｘ]$/.test(m) || BIRTH_DATE.test(m.slice(6, 14)))) ? maskIdNumber(m) : maskCardNumber(m)))
    .replace(PHONE, (m, prefix: string | undefined) => `${prefix ?? ''}${maskPhone(m.slice(prefix?.length ?? 0))}`));

describe('maskText on a text with one run of digits', () => {
  it.each([
    ['客户来电 13812345678 反映提前还款手续问题', '客户来电 138****5678 反映提前还款手续问题'],
    ['13912345678', '139****5678'],
    ['8613812345678', '86138****5678'],
    ['+8613812345678', '+86138****5678'],
    ['(13812345678)', '(138****5678)'],
    ['12812345678', '12812345678'],
    ['10012345678', '10012345678'],
    ['138123456789', '138123456789'],
    ['身份证11010119900307123X', '身份证110***********123X'],
  ])('%s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
    expect(maskText(text)).toBe(passes(text));
  });

  it('gives what the five passes give, for any run with any characters around it', () => {
    const around = fc.oneof(fc.constantFrom('', ' ', '电话', '+', '(', ')', 'X', 'x', 'Ｘ', '号', '-', '，'), fc.string({ maxLength: 4 }).filter((s) => !/\d/.test(s)));
    const run = fc.oneof(
      fc.stringMatching(/^1[0-9]{10}$/),
      fc.stringMatching(/^(86)?1[3-9][0-9]{9}$/),
      fc.stringMatching(/^[0-9]{9,20}$/),
    );
    fc.assert(
      fc.property(around, run, around, (before, digits, after) => {
        const text = `${before}${digits}${after}`;
        expect(maskText(text)).toBe(passes(text));
      }),
      { numRuns: 20_000, seed: 22 },
    );
  });
});
