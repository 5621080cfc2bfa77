// A transparent keyword classifier for tickets the intake left `unclassified` (often 12378
// transfers). Every point of a score can be traced to a keyword, so a reviewer can see why.
//
// Score of a plan type = sum of the weights of the distinct terms found in the text, plus
// TAG_FACTOR x the same over tag values, plus TAG_EXACT when a tag value is the type's code or
// name. confidence = margin x strength, where margin = best / (best + runner-up) (0.5 on a tie)
// and strength = min(1, best / FULL_SCORE).

import type { Classification } from '../model.ts';
import type { PlanTypeView } from './plan-view.ts';

export const CLASSIFIER_VERSION = 'keywords-v1';
export const UNCLASSIFIED = 'unclassified';
export const REVIEW_BELOW = 0.6;
const TAG_FACTOR = 2;
const TAG_EXACT = 4;
const FULL_SCORE = 3;
const W_NAME = 3; // the plan's own Chinese name or code, written out
const W_KEYWORD = 2; // the plan's own keywords

/** Built-in vocabulary; a group's words join every plan type whose `_${code}_` matches `codes`
 *  (underscores delimit words, so credit_card is not a car and refund is not a fund).
 *  Weight 2: names a product; weight 1: generic, shared between products. */
const GROUPS: ReadonlyArray<{ codes: RegExp; words: Readonly<Record<string, number>> }> = [
  { codes: /_(mortgage|housing|house|home_?loan|prepay)/, words: { 提前还款: 1, 提前还贷: 2, 房贷: 2, 按揭: 2, 住房贷款: 2, 房屋贷款: 2, 公积金贷款: 2, 个人住房: 2, 存量房贷: 2, mortgage: 2, prepayment: 1, 'early repayment': 1, 'home loan': 2 } },
  { codes: /_(insur|bancassur)/, words: { 保险: 2, 代理保险: 2, 代销保险: 2, 退保: 2, 保单: 2, 分红险: 2, 万能险: 2, 理赔: 2, 犹豫期: 2, 保费: 2, insurance: 2, policy: 1, surrender: 1 } },
  { codes: /_(auto|car|cars|vehicle)_/, words: { 车贷: 2, 购车分期: 2, 汽车贷款: 2, 汽车分期: 2, 车辆分期: 2, 购车: 2, 提前还款: 1, 'car loan': 2, 'auto loan': 2 } },
  { codes: /_(credit_?)?cards?_/, words: { 信用卡: 2, 年费: 1, 额度: 1, 账单: 1, 透支: 1, 最低还款: 2, 分期: 1, 'credit card': 2 } },
  { codes: /_(wealth|financ|invest|funds?_)/, words: { 理财: 2, 理财产品: 2, 基金: 2, 净值: 2, 亏损: 1, 收益: 1, 风险评估: 1, 风险测评: 1, 'wealth management': 2, fund: 1 } },
  { codes: /_(collect|dun)/, words: { 催收: 2, 暴力催收: 2, 催款: 2, 催债: 2, 逾期: 1, 骚扰: 1, collection: 2 } },
  { codes: /_(fees?|charges?|pricing)_/, words: { 收费: 2, 手续费: 2, 乱收费: 2, 服务费: 2, 管理费: 1, 扣费: 2, 年费: 1, fee: 2, fees: 2, charge: 1 } },
  { codes: /_(account|deposit)/, words: { 账户: 2, 开户: 2, 销户: 2, 冻结: 2, 存款: 2, 挂失: 1, 银行卡: 1, account: 2, deposit: 1 } },
  { codes: /_(consum|personal_?loan|credit_?loan)/, words: { 消费贷: 2, 信用贷: 2, 个人贷款: 2, 消费贷款: 2, 利息: 1, 利率: 1, loan: 1 } },
  { codes: /_(service|attitude|queue)/, words: { 服务态度: 2, 态度: 1, 排队: 2, 柜员: 1, 大堂经理: 1, service: 1 } },
  { codes: /_(payments?|mobile|online|digital|apps?|e_?banking)_/, words: { 手机银行: 2, 网银: 2, 网上银行: 2, 转账: 2, 支付: 1, 扫码: 1, 'mobile banking': 2, app: 1 } },
];

interface Term { word: string; weight: number; test: (lowerText: string) => boolean }
interface CompiledType { code: string; terms: Term[]; exact: Set<string> }

// Compiled once per plan (the plan's types array is immutable and long-lived).
const compiledByTypes = new WeakMap<readonly PlanTypeView[], CompiledType[]>();

export function classifyTicket(
  text: string | undefined,
  tags: Record<string, string> | undefined,
  types: readonly PlanTypeView[],
): Classification {
  const compiled = compile(types);
  const lowerText = (text ?? '').toLowerCase();
  const tagValues = Object.values(tags ?? {}).filter((v): v is string => typeof v === 'string').map((v) => v.trim().toLowerCase());
  const lowerTags = tagValues.join('\n');
  let best = -1, bestScore = 0, second = 0;
  compiled.forEach((t, i) => {
    let score = 0;
    for (const term of t.terms) {
      if (lowerText && term.test(lowerText)) score += term.weight;
      if (lowerTags && term.test(lowerTags)) score += TAG_FACTOR * term.weight;
    }
    if (tagValues.some((v) => t.exact.has(v))) score += TAG_EXACT;
    // Ties keep the earlier plan type (deterministic); the tie shows as a low margin.
    if (score > bestScore) [second, bestScore, best] = [bestScore, score, i];
    else if (score > second) second = score;
  });
  const winner = compiled[best];
  if (!winner || bestScore <= 0) {
    return { type: UNCLASSIFIED, confidence: 0, modelVersion: CLASSIFIER_VERSION, needsReview: true };
  }
  const margin = bestScore / (bestScore + second);
  const strength = Math.min(1, bestScore / FULL_SCORE);
  const confidence = Math.round(margin * strength * 1000) / 1000;
  return { type: winner.code, confidence, modelVersion: CLASSIFIER_VERSION, needsReview: confidence < REVIEW_BELOW };
}

function compile(types: readonly PlanTypeView[]): CompiledType[] {
  const cached = compiledByTypes.get(types);
  if (cached) return cached;
  const out = types.map((t) => {
    const weights = new Map<string, number>();
    const put = (word: string, weight: number) => {
      const w = word.trim().toLowerCase();
      if (w.length > 0) weights.set(w, Math.max(weight, weights.get(w) ?? 0));
    };
    for (const g of GROUPS) if (g.codes.test(`_${t.code}_`)) for (const [w, weight] of Object.entries(g.words)) put(w, weight);
    for (const k of t.keywords ?? []) put(k, W_KEYWORD);
    put(t.name, W_NAME);
    put(t.code, W_NAME);
    put(t.code.replace(/_/g, ' '), W_NAME);
    const terms = [...weights].map(([word, weight]) => ({ word, weight, test: matcher(word) }));
    return { code: t.code, terms, exact: new Set([t.code.toLowerCase(), t.name.trim().toLowerCase()]) };
  });
  compiledByTypes.set(types, out);
  return out;
}

// Latin words match on word boundaries ('fee' must not hit 'coffee'); CJK has no spaces, so a
// substring is the word.
function matcher(word: string): (s: string) => boolean {
  if (!/^[\x20-\x7e]+$/.test(word)) return (s) => s.includes(word);
  const re = new RegExp(`(?<![a-z0-9])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9])`);
  return (s) => re.test(s);
}
