import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVISIBLE, PREPENDED_MARKS, SPACES, visible } from '../../tests/helpers/invisible.ts';
import { maskCardNumber, maskContacts, maskGrouped, maskIdNumber, maskPhone, maskSpacedDigits, maskText, TEXT_PATTERNS } from './mask.ts';

// maskText answers a text whose digits form one run without its five passes: that quick path
// must give what the passes give, for every run length and every prefix a phone pattern reads.
const { SPACED_ID, SPACED_CARD, SPACED_DIGITS, LONG_RUN, PHONE } = TEXT_PATTERNS;
const BIRTH_DATE = /^(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const passes = (typed: string) =>
  maskContacts(visible(typed)
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
    const around = fc.oneof(fc.constantFrom('', ' ', '电话', '+', '(', ')', 'X', 'x', 'Ｘ', '号', '-', '，', ...SPACES, ...INVISIBLE), fc.string({ maxLength: 4 }).filter((s) => !/\d/.test(s)));
    const run = fc.oneof(
      fc.stringMatching(/^1[0-9]{10}$/),
      fc.stringMatching(/^(86)?1[3-9][0-9]{9}$/),
      fc.stringMatching(/^[0-9]{9,20}$/),
    );
    // an invisible character somewhere in the run (a number copied from a page): the quick path
    // must see the run the passes see once it is gone
    const hidden = fc.option(fc.record({ at: fc.nat(), c: fc.constantFrom(...INVISIBLE) }), { freq: 2 });
    fc.assert(
      fc.property(around, run, hidden, around, (before, clear, hide, after) => {
        const at = hide ? 1 + (hide.at % (clear.length - 1)) : 0;
        const digits = hide ? `${clear.slice(0, at)}${hide.c}${clear.slice(at)}` : clear;
        const text = `${before}${digits}${after}`;
        expect(maskText(text)).toBe(passes(text));
      }),
      { numRuns: 20_000, seed: 22 },
    );
  });
});

describe('maskText on numbers copied with invisible or thin-space characters (audit CI C1)', () => {
  const ALL = (re: RegExp) => {
    const out: string[] = [];
    for (let c = 0; c <= 0x10ffff; c++) if ((c < 0xd800 || c > 0xdfff) && re.test(String.fromCodePoint(c))) out.push(String.fromCodePoint(c));
    return out;
  };
  const FORMAT = ALL(/^\p{Cf}$/u).filter((c) => !PREPENDED_MARKS.test(c)); // those are seen, as letters
  const SPACE = ALL(/^\p{Zs}$/u);

  it.each([
    ['139\u200b1234\u200b5610', '139****5610'],
    ['电话139\u20601234\u20605620。', '电话139****5620。'],
    ['139\u00ad1234\u00ad5612', '139****5612'],
    ['139\u20091234\u20095611，139\u202f1234\u202f5619', '139****5611，139****5619'],
    ['身份证110105\u200b19491231\u200b0063', '身份证110***********0063'],
    ['卡号6222\u20070212\u20073456\u20071234', '卡号6222 **** **** 1234'],
    ['1391\u200b2345610，1\u20093\u20098\u20090\u20090\u20090\u20090\u20090\u20090\u20090\u20097', '139****5610，138****0007'],
    ['139 \u200b 1234 5678', '139****5678'],
    ['邮箱zhang\u200b.wei88@example.com', '邮箱z***@example.com'],
    // what no number is in: an emoji's joiners stay, amounts split by a thin space stay
    ['👨\u200d👩\u200d👧 满意', '👨\u200d👩\u200d👧 满意'],
    ['还款1\u2009380\u2009000元', '还款1\u2009380\u2009000元'],
    // a flag's tag characters and the Arabic number sign are kept (verify CK2)
    ['🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} ok', '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} ok'],
    ['رقم \u0600123 و\u06dd45', 'رقم \u0600123 و\u06dd45'],
  ])('%j', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it('masks a phone, an ID and a card grouped by any invisible (Cf) or space (Zs) character', () => {
    expect(FORMAT.length).toBeGreaterThan(100);
    expect(SPACE.length).toBe(17);
    for (const c of [...FORMAT, ...SPACE]) {
      const text = `电话139${c}1234${c}5678，身份证110105${c}19491231${c}0063，卡6222${c}0212${c}3456${c}1234`;
      expect(maskText(text), `U+${c.codePointAt(0)!.toString(16)}`).toBe('电话139****5678，身份证110***********0063，卡6222 **** **** 1234');
    }
  });

  it('never leaves a number in clear, whatever invisible or space characters are in it', () => {
    const number = fc.oneof(
      fc.tuple(fc.stringMatching(/^1[3-9][0-9]$/), fc.stringMatching(/^[0-9]{4}$/), fc.stringMatching(/^[0-9]{4}$/)),
      fc.tuple(fc.stringMatching(/^[1-6][0-9]{5}$/), fc.constantFrom('19491231', '19880707', '20010101'), fc.stringMatching(/^[0-9]{3}[0-9X]$/)),
      fc.tuple(fc.stringMatching(/^62[0-9]{2}$/), fc.stringMatching(/^[0-9]{4}$/), fc.stringMatching(/^[0-9]{4}$/), fc.stringMatching(/^[0-9]{4}$/)),
    );
    // no letter beside the number: glued to letters an ID reads as part of a code, and stays (by design)
    const text = fc.string({ maxLength: 3 }).filter((s) => !/[\d\p{Cf}\p{L}]/u.test(s));
    const between = fc.oneof(fc.constant(''), fc.constantFrom(...SPACES, ' ', '-'));
    const hidden = fc.array(fc.record({ at: fc.nat(), c: fc.constantFrom(...INVISIBLE) }), { maxLength: 3 });
    fc.assert(
      fc.property(text, number, between, hidden, text, (before, groups, sep, hide, after) => {
        const chars = Array.from(groups.join(sep)); // by code point: U+E0020 is two units
        for (const h of hide) chars.splice(h.at % (chars.length + 1), 0, h.c);
        const typed = chars.join('');
        const clear = groups.join('');
        const shown = maskText(`${before}${typed}${after}`).replace(/[^0-9X]/g, '');
        expect(shown).not.toContain(clear);
      }),
      { numRuns: 5_000, seed: 31 },
    );
  });
});
