import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../model.ts';
import { hashCustomer, hashCustomerCached, maskCardNumber, maskEvent, maskIdNumber, maskContacts, maskGrouped, maskName, maskPhone, maskSpacedDigits, maskText, TEXT_PATTERNS } from './mask.ts';
import { testPlan } from './test-plan.ts';
import { INVISIBLE, SPACES, visible } from '../../tests/helpers/invisible.ts';

const KEY = new TextEncoder().encode('test-key');

describe('transforms - mask display forms', () => {
  it.each([
    [maskName, '张三', '张*'],
    [maskName, '欧阳娜娜', '欧***'],
    [maskName, '张', '张*'],
    [maskPhone, '13812341234', '138****1234'],
    [maskPhone, '+86 138-1234-1234', '138****1234'],
    [maskIdNumber, '110101199001011234', '110***********1234'],
    [maskIdNumber, '11010119900101123X', '110***********123X'],
    [maskIdNumber, '110101900101123', '110********1123'],
    [maskCardNumber, '6222021234561234', '6222 **** **** 1234'],
    [maskCardNumber, '6222 0212 3456 1234', '6222 **** **** 1234'],
    [maskCardNumber, '6222021234561234567', '6222 **** **** **** 4567'],
  ] as const)('%o(%s) -> %s', (fn, input, out) => {
    expect(fn(input)).toBe(out);
  });

  it('hashes customers with a keyed HMAC-SHA256, 32 hex characters', () => {
    const h = hashCustomer(KEY, 'C-0001');
    expect(h).toBe(createHmac('sha256', KEY).update('C-0001').digest('hex').slice(0, 32));
    expect(h).toMatch(/^[0-9a-f]{32}$/);
    expect(hashCustomer(new TextEncoder().encode('other'), 'C-0001')).not.toBe(h);
  });

  it('the cached hash is the HMAC, per key, across cache generations', () => {
    const other = new TextEncoder().encode('other');
    const ids = Array.from({ length: 20_000 }, (_, i) => `C-${(i * 7919) % 12_000}`);
    for (const id of ids) {
      expect(hashCustomerCached(KEY, id)).toBe(hashCustomer(KEY, id));
      expect(hashCustomerCached(other, id)).toBe(hashCustomer(other, id));
    }
  });
});

// [text, masked]: numbers inside free text
const TEXT_CASES: Array<[string, string]> = [
  ['客户电话13812341234，请回电', '客户电话138****1234，请回电'],
  ['tel +86 138 1234 1234.', 'tel +86 138****1234.'],
  ['电话：+86-138-1234-1234', '电话：+86-138****1234'],
  ['身份证号110101199001011234。', '身份证号110***********1234。'],
  ['身份证11010119900101123x', '身份证110***********123x'],
  ['旧身份证110101900101123', '旧身份证110********1123'],
  ['身份证 110101 19900101 1234', '身份证 110***********1234'],
  ['卡号6222021234561234扣款', '卡号6222 **** **** 1234扣款'],
  ['卡号 6222 0212 3456 1234 扣款', '卡号 6222 **** **** 1234 扣款'],
  ['卡号6222-0212-3456-1234-567', '卡号6222 **** **** **** 4567'],
  ['卡号6222021234561234567', '卡号6222 **** **** **** 4567'],
  ['18位卡号622202123456123456', '18位卡号6222 **** **** **** 3456'],
  ['贷款350000元，2025-03-01 10:00，合同20250301001，利率3.85%', '贷款350000元，2025-03-01 10:00，合同20250301001，利率3.85%'],
  ['电话13812341234身份证110101199001011234卡6222021234561234', '电话138****1234身份证110***********1234卡6222 **** **** 1234'],
  ['12345678901', '12345678901'],
  // separators and groupings a privacy audit found kept in clear
  ['回电139.8765.4326', '回电139****4326'],
  ['回电139－8765－4330或139　8765　4331', '回电139****4330或139****4331'],
  ['手机(139)8765-4335，1398 765 4338，139–8765–4339', '手机139****4335，139****4338，139****4339'],
  ['+86 (139) 8765 4336', '+86 139****4336'],
  ['身份证110105 880707 433', '身份证110********7433'],
  ['身份证110 105 1988 0707 4321，110105-1988-0707-432X', '身份证110***********4321，110***********432X'],
  ['卡号6222.0219.8765.4325，622202 1987654324', '卡号6222 **** **** 4325，6222 **** **** 4324'],
  // what a Chinese keyboard puts between groups, doubled separators, a digit at a time (audit BA)
  ['回电138，0000，0005或138、0000、0006', '回电138****0005或138****0006'],
  ['138/0000/0008，138_0000_0009，138~0000~0010，138  0000  0011，138 ， 0000 ， 0012', '138****0008，138****0009，138****0010，138****0011，138****0012'],
  ['手机1 3 8 0 0 0 0 0 0 0 7，1-3-8-0-0-0-0-0-0-1-3', '手机138****0007，138****0013'],
  ['卡号6222,0200,0000,0007，6222，0200，0000，0015', '卡号6222 **** **** 0007，6222 **** **** 0015'],
  ['卡号6 2 2 2 0 2 0 0 0 0 0 0 0 0 1 1，身份证1 1 0 1 0 1 1 9 9 0 0 1 0 1 1 2 3 X', '卡号6222 **** **** 0011，身份证110***********123X'],
  ['身份证１１０１０１２００１０１０１２００Ｘ，110105·1988·0707·4321', '身份证110***********200Ｘ，110***********4321'],
  // what must stay: amounts, dates, lists of figures, a count of single digits
  ['还款1,380,000.00元，2025/03/01、2025/04/01，第1、2、3、4、5、6、7、8、9期', '还款1,380,000.00元，2025/03/01、2025/04/01，第1、2、3、4、5、6、7、8、9期'],
  ['编号1 2 3 4 5 6 7 8 9 0 1', '编号1 2 3 4 5 6 7 8 9 0 1'],
  ['8 6 1 3 8 0 0 0 0 0 0 1 4', '86 138****0014'],
  // lists of figures split like a card or an ID stay; a card's check digit and an ID's birth date decide (verify BD)
  ['违约金5000、5000、5000、5000元，月供1500/1500/1500/1500/1500，3000，2500，1800，4200', '违约金5000、5000、5000、5000元，月供1500/1500/1500/1500/1500，3000，2500，1800，4200'],
  ['分三笔100000，200000，300，合计600300', '分三笔100000，200000，300，合计600300'],
  ['分期6400、4100、7400、6200元，6400/4100/7400/6200，第1、3、5、7、9、2、4、6、8、1、2项', '分期6400、4100、7400、6200元，6400/4100/7400/6200，第1、3、5、7、9、2、4、6、8、1、2项'],
  ['身份证110105，19880707，4321，卡6222；0200；0000；0007', '身份证110***********4321，卡6222 **** **** 0007'],
  ['手机 138；1234；5678，138:1234:5679，138|1234|5670', '手机 138****5678，138****5679，138****5670'],
  // contact ids: a word after the name is no id, nor an amount (verify BD)
  ['I sent a copy of my passport twice; their QQ support and wechat messages; passport number before', 'I sent a copy of my passport twice; their QQ support and wechat messages; passport number before'],
  ['客户称已通过微信20000元转账，微信号 zhangsan，passport: Ezhang', '客户称已通过微信20000元转账，微信号 z***，passport: E***'],
  // contact ids: an e-mail address, and ids after the word naming them (audit BA)
  ['邮箱zhang.san@163.com，微信号：wxid_abc123，QQ 12345678，护照E12345678，WeChat ID zs-2026', '邮箱z***@163.com，微信号：w***，QQ 1***，护照E***，WeChat ID z***'],
  ['微信转账500元，护照已过期，发邮件到客服', '微信转账500元，护照已过期，发邮件到客服'],
];

describe('transforms - mask numbers inside text', () => {
  it.each(TEXT_CASES)('%s', (text, out) => {
    expect(maskText(text)).toBe(out);
  });

  // maskText skips its patterns for texts with fewer than 11 digits, and keepEnds slices instead
  // of splitting into code points when there is no surrogate: neither may change an answer.
  it('gives what the four patterns alone give, for texts of digits, separators and other characters', () => {
    const { SPACED_ID, SPACED_CARD, SPACED_DIGITS, LONG_RUN, PHONE } = TEXT_PATTERNS;
    const fullPasses = (text: string) =>
      text
        .replace(SPACED_ID, (m) => maskGrouped(m, 'id'))
        .replace(SPACED_CARD, (m) => maskGrouped(m, 'card'))
        .replace(SPACED_DIGITS, (m) => maskSpacedDigits(m))
        .replace(LONG_RUN, (m) =>
          m.length === 15 || (m.length === 18 && (/[XxＸｘ]$/.test(m) || /^(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(m.slice(6, 14)))) ? maskIdNumber(m) : maskCardNumber(m),
        )
        .replace(PHONE, (m, prefix: string | undefined) => `${prefix ?? ''}${maskPhone(m.slice(prefix?.length ?? 0))}`);
    const fullPassesAndContacts = (text: string) => maskContacts(fullPasses(visible(text)));
    const piece = fc.oneof(fc.stringMatching(/^[0-9]{1,19}$/), fc.constantFrom(' ', '-', '.', '\u3000', '\uff0d', '，', '、', '/', '(', ')', '+86', 'X', 'Ｘ', '电话', '😀', 'a', '@163.com', '微信', 'QQ', ...SPACES, ...INVISIBLE), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(maskText(text)).toBe(fullPassesAndContacts(text));
      }),
      { numRuns: 5_000, seed: 6 },
    );
  });

  it('reads full-width digits as digits, as Chinese input methods type them', () => {
    expect(maskText('回电１３９１２３４５６７８，身份证１１０１０１１９９００３０７１２３４')).toBe('回电139****5678，身份证110***********1234');
    expect(maskText('金额１２００元')).toBe('金额１２００元'); // fewer than a phone's digits: untouched
    expect(maskPhone('１３９１２３４５６７８')).toBe('139****5678');
    expect(maskCardNumber('６２２２０２１２３４５６７８９０')).toBe('6222 **** **** 7890');
  });

  it('masks a number with a character outside the BMP in it by code point', () => {
    expect(maskIdNumber('1101😀0119900101123X')).toBe(`110${'*'.repeat(12)}123X`);
  });
});

describe('transforms - mask events', () => {
  const plan = testPlan();
  const event: TicketEvent = {
    eventId: 'e1', ticketId: 'T1', kind: 'first_contact', occurredAt: '2025-03-01T10:00:00+08:00', branch: 'BJ-HD',
    complaintType: 'mortgage_prepayment', customerId: 'C-0001', outcome: 'not_agreed', channel: 'phone',
    text: '客户13812341234要求提前还款', tags: { product: '房贷', note: '回电13912345678' }, satisfaction: 2,
    customer: { name: '张三', phone: '13812341234', idNumber: '110101199001011234', cardNumber: '6222021234561234' },
  };

  it('hashes the customer, masks display fields and text, keeps the rest', () => {
    expect(maskEvent(event, { hashKey: KEY, plan })).toEqual({
      eventId: 'e1', ticketId: 'T1', kind: 'first_contact', occurredAt: '2025-03-01T10:00:00+08:00',
      occurredAtMs: Date.parse('2025-03-01T02:00:00Z'), branch: 'BJ-HD', complaintType: 'mortgage_prepayment',
      reportedType: 'mortgage_prepayment', customerHash: hashCustomer(KEY, 'C-0001'),
      customerMasked: { name: '张*', phone: '138****1234', idNumber: '110***********1234', cardNumber: '6222 **** **** 1234' },
      channel: 'phone', outcome: 'not_agreed', text: '客户138****1234要求提前还款', tags: { product: '房贷', note: '回电139****5678' },
      satisfaction: 2,
    });
    const json = JSON.stringify(maskEvent(event, { hashKey: KEY, plan }));
    for (const clear of ['C-0001', '张三', '13812341234', '110101199001011234', '6222021234561234', '13912345678']) expect(json).not.toContain(clear);
  });

  it('masks a phone a clerk typed as a tag key', () => {
    const out = maskEvent({ ...event, tags: { '13912345678': '回电', product: '房贷' } }, { hashKey: KEY, plan });
    expect(out.tags).toEqual({ '139****5678': '回电', product: '房贷' });
  });

  it('classifies an unclassified ticket and keeps what the intake sent', () => {
    const m = maskEvent({ ...event, complaintType: 'unclassified', text: '在网点购买代理保险后要求退保被拒' }, { hashKey: KEY, plan });
    expect(m.complaintType).toBe('insurance_dispute');
    expect(m.reportedType).toBe('unclassified');
    expect(m.classification).toMatchObject({ type: 'insurance_dispute', modelVersion: 'keywords-v1', needsReview: false });
  });

  it('an unclassifiable ticket stays unclassified and is queued for review; a custom classifier can be injected', () => {
    const m = maskEvent({ ...event, complaintType: 'unclassified', text: '其他问题', tags: {} }, { hashKey: KEY, plan });
    expect(m.complaintType).toBe('unclassified');
    expect(m.classification).toMatchObject({ type: 'unclassified', confidence: 0, needsReview: true });
    const classify = () => ({ type: 'auto_installment', confidence: 0.9, modelVersion: 'test', needsReview: false });
    expect(maskEvent({ ...event, complaintType: 'unclassified' }, { hashKey: KEY, plan, classify }).complaintType).toBe('auto_installment');
  });

  it('leaves optional fields the event did not have undefined, every masked event with the same keys in the same order', () => {
    const { channel: _c, text: _t, tags: _g, satisfaction: _s, customer: _u, ...bare } = event;
    const m = maskEvent(bare, { hashKey: KEY, plan });
    for (const k of ['channel', 'text', 'tags', 'satisfaction', 'escalation', 'classification'] as const) expect(m[k]).toBeUndefined();
    expect(m.customerMasked).toEqual({});
    // one hidden class for all of them: the stages reading masked events stay monomorphic
    const full = maskEvent({ ...event, escalation: 'mediation', complaintType: 'unclassified' }, { hashKey: KEY, plan });
    expect(full.classification).toBeDefined();
    expect(Object.keys(m)).toEqual(Object.keys(full));
  });
});

describe('transforms - mask known personal data in free text', () => {
  it('replaces the customer name and id wherever the text repeats them', () => {
    const out = maskEvent(
      {
        eventId: 'e1', ticketId: 't1', kind: 'opened', occurredAt: '2025-04-01T09:00:00+08:00', branch: 'SH',
        complaintType: 'mortgage_prepayment', customerId: 'CUST-0042',
        text: '客户张三丰（编号 CUST-0042）来电，张三丰要求退还违约金', tags: { note: '张三丰 VIP' },
        customer: { name: '张三丰' },
      },
      { hashKey: KEY, plan: testPlan() },
    );
    expect(out.text).toBe('客户张**（编号 ***）来电，张**要求退还违约金');
    expect(out.tags).toEqual({ note: '张** VIP' });
  });
});
