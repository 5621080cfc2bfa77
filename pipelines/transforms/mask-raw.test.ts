import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskRawPayload } from './mask-raw.ts';

// Dead letters' payloads: personal data masked whatever shape a broken producer gave it. The
// shapes below are the ones a contract audit got through in clear.

const SECRETS = ['CUSTSECRET-778899', '李四光', '13912345678', '110101199003071234', '6222021234567890'];
const clear = (out: string) => SECRETS.filter((s) => out.includes(s));

describe('transforms - mask raw payloads of dead letters', () => {
  it('masks personal fields by key and numbers anywhere, even in broken JSON', () => {
    const raw = '{"customerId":"C-0001","customer":{"name":"张三","phone":"13812341234","idNumber":"110101199001011234","cardNumber":6222021234561234},"text":"回电13912345678","x":';
    const out = maskRawPayload(raw);
    expect(out).toBe('{"customerId":"***","customer":{"name":"张*","phone":"138****1234","idNumber":"110***********1234","cardNumber":"6222 **** **** 1234"},"text":"回电139****5678","x":');
  });

  it('masks an unterminated value and a JSON-encoded one', () => {
    expect(maskRawPayload('{"customerId": "C-00')).toBe('{"customerId": "***"');
    expect(maskRawPayload('"{\\"name\\":\\"李四\\"}"')).toBe('"{\\"name\\":\\"李*\\"}"');
  });

  it.each([
    ['an array for the id', '{"eventId":"x","customerId":["CUSTSECRET-778899"]}'],
    ['an object for the id', '{"eventId":"x","customerId":{"v":"CUSTSECRET-778899"}}'],
    ['an array for the name', '{"customerId":"c1","customer":{"name":["李四光"],"phone":13912345678}}'],
    ['a customer that is a string', '{"customerId":"c1","customer":"李四光 13912345678"}'],
    ['an unknown customer field', '{"customerId":"c1","customer":{"nickname":"李四光","idNumber":"110101199003071234"}}'],
    ['the key spelt with escapes', '{"customer\\u0049d":"CUSTSECRET-778899","kind":"x"}'],
    ['the key spelt with escapes, broken JSON', '{"customer\\u0049d":"CUSTSECRET-778899", oops'],
    ['single quotes', "{'customerId': 'CUSTSECRET-778899', 'customer': {'name': '李四光', 'phone': '13912345678'}}"],
    ['a bare token', '{"customerId":CUSTSECRET-778899,"text":"x"}'],
    ['an array, broken JSON', '{"customerId":["CUSTSECRET-778899"], oops'],
    ['the id inside the text', '{"customerId":"CUSTSECRET-778899","kind":"nope","text":"客户 CUSTSECRET-778899 来电"}'],
    ['the id inside the text, broken JSON', '{"customerId":"CUSTSECRET-778899","text":"客户 CUSTSECRET-778899 来电" oops'],
    ['the name inside the text', '{"customerId":"c1","customer":{"name":"李四光"},"text":"李四光来电","kind":"nope"}'],
    ['a phone spelt with escapes', '{"text":"回电 \\u0031\\u00339912345678", oops'],
    ['a phone as a number', '{"customerId":"c1","note":13912345678}'],
    ['a phone as a key', '{"customerId":"c1","tags":{"13912345678":"回电"}}'],
    ['an ID card in a nested JSON string', '{"text":"{\\"idNumber\\":\\"110101199003071234\\"}","kind":1}'],
    ['a card number spaced in text', '{"text":"卡号 6222 0212 3456 7890","kind":1}'],
    // a second audit's shapes
    ['key=value text', 'ticket=T1 customerId=CUSTSECRET-778899 name=李四光 broken'],
    ['a bare phone in groups', '{customerId: c1, phone: 139 1234 5678, oops'],
    ["an intake system's own name keys", '{"customerName":"李四光","contact":{"姓名":"李四光"},"客户":"李四光" oops'],
    ["an intake system's own name keys, valid JSON", '{"customerName":"李四光","contact":{"姓名":"李四光"},"kind":"nope"}'],
    // numbers copied with invisible or thin-space characters between the groups (audit CI C1)
    ['a phone with zero-width spaces', '{"text":"回电139\u200b1234\u200b5678","kind":1}'],
    ['a phone with zero-width spaces as escapes, broken JSON', '{"text":"回电139\\u200b1234\\u200b5678", oops'],
    ['an ID with thin spaces as escapes, broken JSON', '{"text":"身份证110101\\u200919900307\\u20091234" oops'],
    ['a phone with soft hyphens as a key', '{"customerId":"c1","tags":{"139\u00ad1234\u00ad5678":"回电"}}'],
  ])('nothing personal in clear: %s', (_label, raw) => {
    const out = maskRawPayload(raw);
    expect(clear(out), out).toEqual([]);
  });

  it('keeps what is not personal, so the reason can still be read', () => {
    const out = JSON.parse(maskRawPayload('{"eventId":"e-1","kind":"closed","branch":"BJ","customerId":["x1234"],"text":"金额 1200 元"}'));
    expect(out).toEqual({ eventId: 'e-1', kind: 'closed', branch: 'BJ', customerId: '***', text: '金额 1200 元' });
  });

  it('never throws, and never leaves a planted id or phone in clear (random shapes around them)', () => {
    const shape = fc.constantFrom('"K":"V"', "'K':'V'", '"K":["V"]', '"K":V', 'K: V', '"K":{"a":"V"}');
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 3 }), shape, fc.boolean(), (noise, form, broken) => {
        const field = form.replace('K', 'customerId').replace('V', 'CUSTSECRET-778899');
        const raw = `{${noise.map((n) => JSON.stringify(n)).join(',')}${noise.length ? ',' : ''}${field},"text":"回电13912345678"${broken ? ' oops' : '}'}`;
        const out = maskRawPayload(raw);
        expect(clear(out), `${raw} -> ${out}`).toEqual([]);
      }),
      { numRuns: 2_000, seed: 11 },
    );
  });
});
