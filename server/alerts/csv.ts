import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { excelCsv } from '../csv.ts';
import { ACK_REASON_ZH, caseEscalatedZh, LEVEL_ZH, URGENCY_ZH, WHAT_ZH } from '../words.ts';
import type { ListedAlert } from './view.ts';

// The console's list as a spreadsheet, for a case meeting's papers (案例会材料): one row per
// alert, the plan's names beside the codes, who acknowledged it and why, the last thing that
// happened. Nothing personal is in an alert, so nothing needs masking here. The acknowledging
// token's role and fingerprint come last. A case is labelled by its urgency (新案 / 无进展 / 超期) as
// the console and the wall say it, not by allowance words; a level alert's level now stands beside
// the highest it reached (a cell back at 关注 read as 超标, audit CB F6). When the people on duty
// were first told (`raisedAt`: a case dated 02:30 that arrived at 11:35 was told at 11:35) and
// when it was acknowledged (contract §4: who and when are kept) come after the credential, so a
// spreadsheet's formulas on the earlier columns keep their letters (audit CH2, CH3).

/** the on-call ladder's step is the duty rules', not a person's 上报 (audit CH5) */
const ON_CALL_POLICY = 'on-call policy';
const STATUS_ZH: Record<string, string> = { open: '待处理', acknowledged: '已确认', resolved: '已解除' };
const KIND_ZH: Record<string, string> = { level: '累计', case: '逐笔盯盘', burn: '消耗速度' };

const HEAD = [
  '预警编号 id', '类别 kind', '类型 type', '类型名称 type name', '机构 scope', '机构名称 scope name', '级别 level', '现级别 current level', '状态 status',
  '工单 ticket', '开启 opened', '确认人 acknowledged by', '确认原因 reason', '指派 assignee', '值班级别 on-call level', '最近变化 last change', '最近变化时间 at',
  '确认凭据 acknowledged with (role and token fingerprint)', '首次通知 first notice', '确认时间 acknowledged at',
];

export function alertsCsv(alerts: readonly ListedAlert[], plan: CompiledPlan): string {
  const branchName = new Map(plan.plan.branches.map((b) => [b.code, b.name]));
  const rows = alerts.map((a) => {
    const last = a.history?.at(-1);
    return [
      a.id, KIND_ZH[a.kind] ?? a.kind, a.complaintType, plan.typeByCode.get(a.complaintType)?.name ?? '', a.scope,
      a.scope === 'ALL' ? '全行' : (branchName.get(a.scope) ?? ''), levelText(a), a.kind === 'case' ? '' : LEVEL_ZH[a.currentLevel ?? ''] ?? a.currentLevel ?? '', STATUS_ZH[a.status] ?? a.status,
      a.ticketId ?? '', a.openedAt, a.ack?.by ?? '', both(ACK_REASON_ZH, a.ack?.reason), a.assignee ?? '', a.status === 'resolved' ? '' : a.onCall.level,
      lastChange(last), last?.at ?? '',
      a.ack?.credential ? `${a.ack.credential.role} ${a.ack.credential.fingerprint}` : '',
      a.raisedAt, a.ack?.at ?? '',
    ];
  });
  return excelCsv(HEAD, rows);
}

/**
 * The last change as the console's history says it, its code after: the ladder's step is the duty
 * rules', and a complaint's own ladder names its step (工单提交三方调解, not 工单上报: audit CL6).
 */
function lastChange(last: NonNullable<ListedAlert['history']>[number] | undefined): string {
  if (last?.what === 'escalated' && last.by === ON_CALL_POLICY) return '超时未确认，自动呼叫值班 escalated';
  if (last?.what === 'case-escalated') return `${caseEscalatedZh((last.detail as { escalation?: unknown } | undefined)?.escalation)} case-escalated`;
  return both(WHAT_ZH, last?.what);
}

/** A case's urgency (its level follows it), else the highest level reached. */
const levelText = (a: ListedAlert) =>
  a.kind === 'case' ? URGENCY_ZH[a.urgency ?? ''] ?? CASE_LEVEL_ZH[a.level] ?? a.level : LEVEL_ZH[a.level] ?? a.level;
const CASE_LEVEL_ZH: Record<string, string> = { watch: '新案', breach: '无进展', critical: '超期' };

/** `调查中 investigating`: the words people read beside the code a formula filters on (a plan's own codes as they are). */
const both = (words: Readonly<Record<string, string>>, code: string | undefined) => (code ? (words[code] ? `${words[code]} ${code}` : code) : '');
