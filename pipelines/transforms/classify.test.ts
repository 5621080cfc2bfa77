import { describe, expect, it } from 'vitest';
import { classifyTicket, CLASSIFIER_VERSION } from './classify.ts';
import { TEST_TYPES } from './test-plan.ts';

interface ClassifyCase {
  name: string;
  text?: string;
  tags?: Record<string, string>;
  type: string;
  review: boolean;
}

const CASES: ClassifyCase[] = [
  { name: 'mortgage prepayment in Chinese', text: '客户要求提前还款房贷，网点称额度已满，客户不满', type: 'mortgage_prepayment', review: false },
  { name: 'the plan name written out', text: '关于住房贷款提前还款预约的投诉', type: 'mortgage_prepayment', review: false },
  { name: 'insurance surrender', text: '客户反映在网点被推销代理保险，要求退保', type: 'insurance_dispute', review: false },
  { name: "the plan's own keyword", text: '存在保险销售误导', type: 'insurance_dispute', review: false },
  { name: 'a car loan prepayment is a car loan', text: '车贷提前还款收取违约金', type: 'auto_installment', review: false },
  { name: 'English words', text: 'Customer complains about the car loan', type: 'auto_installment', review: false },
  { name: 'a generic word alone needs review', text: '我想提前还款', type: 'mortgage_prepayment', review: true },
  { name: 'a product tag outweighs the text', text: '提前还款被拒', tags: { product: '汽车分期' }, type: 'auto_installment', review: false },
  { name: 'a tag naming the type code', tags: { product: 'insurance_dispute' }, type: 'insurance_dispute', review: false },
  { name: 'built-in words of types not in the plan assign nothing', text: '信用卡年费乱收费', type: 'unclassified', review: true },
  { name: 'nothing matches', text: '网点排队时间太长', type: 'unclassified', review: true },
  { name: 'no text, no tags', type: 'unclassified', review: true },
  { name: 'latin words match whole words only', text: 'the carpet was dirty', type: 'unclassified', review: true },
];

describe('transforms - classify assigns plan types from keywords', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = classifyTicket(c.text, c.tags, TEST_TYPES);
    expect(got.type).toBe(c.type);
    expect(got.needsReview).toBe(c.review);
    expect(got.modelVersion).toBe(CLASSIFIER_VERSION);
    expect(got.confidence).toBeGreaterThanOrEqual(0);
    expect(got.confidence).toBeLessThanOrEqual(1);
    expect(got.needsReview).toBe(got.confidence < 0.6);
    if (c.type === 'unclassified') expect(got.confidence).toBe(0);
  });

  it('a tie between types halves the confidence', () => {
    const a = classifyTicket('房贷提前还款，车贷提前还款', undefined, TEST_TYPES);
    expect(a.confidence).toBe(0.5);
    expect(a.needsReview).toBe(true);
  });

  it('only plan types can be assigned, including built-in groups matched by code', () => {
    const types = [{ code: 'credit_card_fee', name: '信用卡收费', mode: 'relative' as const, annualAllowance: 10 }];
    expect(classifyTicket('信用卡年费乱收费', undefined, types).type).toBe('credit_card_fee');
    expect(classifyTicket('房贷提前还款', undefined, types).type).toBe('unclassified');
  });
});
