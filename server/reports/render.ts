// The weekly review as CSV (one row per type and scope) and as a printable Chinese HTML page.
import type { WeeklyReview } from './weekly.ts';
import { escapeHtml as esc } from '../html.ts';
import { HAPPENED_ZH, LADDER_ZH, LEVEL_ZH } from '../words.ts';
import { excelCsv } from '../csv.ts';

const n2 = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

export function reviewCsv(r: WeeklyReview): string {
  // the codes for formulas and scripts; the words people read (as the HTML review says them) after
  // them, last, so that existing columns keep their places
  const head = ['year', 'week', 'from', 'to', 'complaint_type', 'type_name', 'mode', 'scope', 'scope_name', 'week_not_agreed', 'cumulative_not_agreed', 'week_allowance', 'allowance_to_date', 'annual_allowance', 'ratio', 'level', 'previous_level',
    '管控方式 mode_zh', '级别 level_zh', '上周级别 previous_level_zh', '截至 as_of'];
  const rows = r.rows.map((x) => [r.year, r.week, r.from, r.to, x.complaintType, x.typeName, x.mode, x.scope, x.scopeName, x.weekNotAgreed, x.cumulativeNotAgreed, n2(x.weekAllowance), n2(x.allowanceToDate), n2(x.annualAllowance), x.ratio === null ? '' : n2(x.ratio), x.level, x.previousLevel,
    x.mode === 'strict' ? '强干预' : '管理相对值', LEVEL_ZH[x.level] ?? x.level, LEVEL_ZH[x.previousLevel] ?? x.previousLevel,
    r.asOf ?? '']); // the week in progress: its figures as of then (empty: the whole week)
  return excelCsv(head, rows);
}

/** provisional: not stored yet (behind: messages still to read, null: unknown; or the stream has not gone past the week's end) */
export function reviewHtml(r: WeeklyReview, generatedAt: string, provisional?: { behind: number | null; reason?: string }): string {
  const rows = r.rows.map((x) => `<tr class="${x.level}"><td>${esc(x.typeName)}</td><td>${x.mode === 'strict' ? '强干预' : '管理相对值'}</td><td>${esc(x.scopeName)}</td>
<td>${x.weekNotAgreed}</td><td>${n2(x.weekAllowance)}</td><td>${x.cumulativeNotAgreed}</td><td>${n2(x.allowanceToDate)}</td><td>${n2(x.annualAllowance)}</td>
<td>${x.ratio === null ? '—' : `${(x.ratio * 100).toFixed(0)}%`}</td><td>${LEVEL_ZH[x.level]}${x.level !== x.previousLevel ? `（上周${LEVEL_ZH[x.previousLevel]}）` : ''}</td></tr>`).join('\n');
  const typeName = (code: string) => esc(r.rows.find((x) => x.complaintType === code)?.typeName ?? code);
  const scopeName = (code: string) => esc(r.rows.find((x) => x.scope === code)?.scopeName ?? code);
  const drivers = r.drivers.filter((d) => d.branches.length).map((d) => `<li>${typeName(d.complaintType)}：${d.branches.map((b) => `${scopeName(b.scope)} +${b.weekNotAgreed}`).join('，')}</li>`).join('') || '<li>本周无新增未达成一致客户</li>';
  const pending = !provisional ? '' : provisional.reason === 'stream-before-week-end'
    ? '<p class="provisional">临时版本，未存档：消息流中还没有本周结束之后的消息，本周的事件可能尚未全部到达，数字可能偏低，请稍后重新打开。Provisional, not stored: the stream has not gone past the week\'s end yet.</p>'
    : `<p class="provisional">临时版本，未存档：监测尚未读完消息流${provisional.behind === null ? '（消息服务暂不可达）' : `（还有 ${provisional.behind} 条消息未处理）`}，数字可能偏低，请稍后重新打开。Provisional, not stored: the monitor has not read the whole stream yet.</p>`;
  const cases = r.cases.map((c) => `<li>${typeName(c.complaintType)}：本周新增 ${c.newCases.length} 笔${c.newCases.length ? `（${c.newCases.map(esc).join('，')}）` : ''}；仍未化解 ${c.stillOpen.length} 笔${c.stillOpen.length ? `（${c.stillOpen.map(esc).join('，')}）` : ''}</li>`).join('') || '<li>无强干预类型</li>';
  const escs = r.escalations.map((e) => `<li>${typeName(e.complaintType)}：${LADDER_ZH[e.escalation] ?? esc(e.escalation)} ${e.n} 次</li>`).join('') || '<li>本周无工单提交</li>';
  // the notices' and the console's words (server/words.ts), not engine codes (audit CL1); a kind
  // a later engine adds is said as its code until it has words
  const alerts = (r.alerts ?? []).map((x) => `<li>${typeName(x.complaintType)}：${HAPPENED_ZH[x.what] ?? esc(x.what)} ${x.n}</li>`).join('') || '<li>本周无预警变化</li>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${r.year}年第${r.week}周 投诉未达成一致客户周复盘</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#111}
h1{font-size:20px;margin:0 0 4px}p.meta{color:#555;margin:0 0 16px;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border:1px solid #999;padding:3px 6px;text-align:right}
th{background:#eee}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}tr.watch td{background:#fff6d5}tr.breach td{background:#ffe0cc}tr.critical td{background:#ffc7c7;font-weight:bold}
h2{font-size:15px;margin:18px 0 6px}p.provisional{border:2px solid #c00;background:#fff0f0;color:#900;padding:6px 10px;font-size:13px}p.in-progress{border:1px solid #999;background:#f4f4f4;padding:6px 10px;font-size:13px}ul{margin:0;padding-left:20px;font-size:13px}
@media print{body{margin:10mm}tr{page-break-inside:avoid}}
</style></head><body>
<h1>${r.year}年第${r.week}周（${r.from} 至 ${r.to}）投诉未达成一致客户周复盘</h1>
<p class="meta">共 ${r.weeks} 周 · 生成时间 ${esc(generatedAt.replace('T', ' ').replace(/\.\d+/, ''))} · 数据口径：首轮沟通未达成一致的去重客户，按最新更正计 · 管控值依据计划 ${r.planHash ? esc(r.planHash.slice(0, 12)) : '（未记录）'}</p>
${pending}${r.asOf ? `<p class="in-progress">本周进行中：数字截至 ${esc(r.asOf.replace('T', ' ').replace(/\.\d+/, ''))}，与看板一致；本周结束后生成正式版本。Week in progress: figures as of then, as the board shows them.</p>` : ''}
<table><thead><tr><th>投诉类型</th><th>管控方式</th><th>机构</th><th>本周未达成一致</th><th>本周分配值</th><th>累计未达成一致</th><th>累计管控值</th><th>年度允许量</th><th>进度</th><th>等级</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>本周主要增量机构</h2><ul>${drivers}</ul>
<h2>强干预逐笔盯盘</h2><ul>${cases}</ul>
<h2>工单提交（${Object.values(LADDER_ZH).join('、')}）</h2><ul>${escs}</ul>
<h2>预警与通知</h2><ul>${alerts}</ul>
</body></html>`;
}
