// @ts-check
// Words on the board: zh-CN by default, English with ?lang=en. Numbers and dates are formatted
// in the plan's time zone elsewhere (format.js); only words live here.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const ZH = {
  title: '消保投诉预警监测', subtitle: 'Complaint early warning', asOf: '数据时间', planYear: (/** @type {any} */ y) => `${y} 年度计划`,
  connecting: '连接中…', live: '● 实时', down: '✕ 连接中断', disconnected: '连接中断', staleNote: '数据已停止更新，以下数字仅供参考（非实时）',
  retryIn: (/** @type {number} */ s) => `${s} 秒后重连`, pipelineStale: '数据管道停滞', pipelineNote: '服务在线，但数据未在更新',
  stallNats: 'NATS 消息服务连接中断', stallStore: 'ClickHouse 写入失败，重试中', stallStoreAway: 'ClickHouse 无应答，新工单暂不能入库', stallIdle: '未在读取事件流', stallBehind: (/** @type {string} */ d) => `处理落后 ${d}`,
  ok: '正常', watch: '关注', breach: '超标', critical: '严重超标',
  strictMode: '强干预 · 逐笔盯盘', relativeMode: '管理相对值 · 周监测', strictTag: '强干预',
  otr: '一次性化解率', ytdVsAllowance: '未达成一致 / 累计管控值', share: '占比', openCases: '在盯个案', carriedCases: '上年度个案',
  actualKey: '未达成一致客户(累计)', allowanceKey: '累计管控值(周)', watchKey: '关注线', forecastKey: '按当前速度预测',
  actualShort: '未达成一致', allowanceShort: '累计管控值', watchShort: '关注线', forecastShort: '预测', annual: '年度允许量 ',
  hOtr: '一次性化解率(年累计)', hNotAgreed: '未达成一致 / 累计管控值', hCases: '在盯个案预警', hLevels: '在开等级预警(按最高等级)',
  vsLastWeek: '较上周', noChange: '持平', updated: '更新', lag: '延迟', lagUnknown: '延迟未知',
  behind: (/** @type {string} */ d) => `画面滞后 ${d}`, behindNote: '本屏处理不及，显示的数字落后于服务器',
  corner: '类型 \\ 机构', all: '全行', breachWeek: (/** @type {number} */ w) => `预计第${w}周超标`, breachedNow: '已超标',
  alerts: '预警动态', noAlerts: '暂无预警', kindCase: '个案', kindLevel: '等级', kindScreen: '屏幕',
  urgency: { new: '新案', stale: '无进展', overdue: '超期' }, cellsNow: '格子现状', levelHighest: '最高', levelNow: '现',
  ladder: { case_meeting: '案例会', mediation: '三方调解', management: '管理层' }, onCallLevel: (/** @type {number} */ n) => `值班第${n}级`,
  open: '未确认', acknowledged: '已确认', resolved: '已解除', screenSilent: (/** @type {string} */ n) => (n ? `大屏 ${n} 无心跳` : '大屏无心跳'),
  drillTitle: (/** @type {string} */ t) => `${t} · 分机构`, close: '关闭', week: (/** @type {number} */ w) => `第${w}周`,
  monthDay: (/** @type {number} */ m, /** @type {number} */ d) => `${m}月${d}日`,
  othersHead: (/** @type {number} */ n) => `其余 ${n} 家`, othersNotOk: (/** @type {number} */ n) => `${n} 家非正常`, othersAllOk: '全部正常', othersWorst: '最高',
  restHead: (/** @type {number} */ n) => `其余 ${n} 类`, restNotOk: (/** @type {number} */ n) => `${n} 类非正常`,
  planEnded: (/** @type {any} */ y) => `${y} 年度计划已结束 · 新事件未计入`,
  planNotStarted: (/** @type {any} */ y) => `${y} 年度计划尚未开始 · 新事件未计入`,
  // sinceStart: the monitor started less than an hour ago and its count with it (soak CE F4)
  deadLetters: (/** @type {number} */ n, /** @type {boolean} */ sinceStart) => `${n} 条事件无法计数（死信，近1小时${sinceStart ? '；本次启动以来' : ''}）`,
  deadLettersShare: (/** @type {number} */ p, /** @type {boolean} */ sinceStart) => `数据异常：${p}% 事件无法计数（死信，近1小时${sinceStart ? '；本次启动以来' : ''}）`,
  intakeNever: '尚未收到工单', intakeNoneSinceStart: '监测启动以来未收到工单', intakeLast: (/** @type {string} */ t) => `最后来单 ${t}`,
  intakeQuiet: (/** @type {string} */ t, /** @type {string} */ d) => `${d} 无新单 · 最后来单 ${t}`,
  unknownBranches: (/** @type {number} */ n) => `含未列入计划的网点 ${n} 条`,
  lvShort: { critical: '严重', breach: '超标', watch: '关注' },
  levelAlertsTitle: (/** @type {string} */ level) => `在开的等级预警，按其达到的最高等级：${level}`,
  brokerStoreDegraded: '⚠ 消息存储将满/已满：来单可能被拒',
  noticesRefused: '⚠ 告警通知发不出（NATS 拒收）：值班人员收不到',
  noticesRefusedTitle: (/** @type {string} */ subject, /** @type {string} */ why, /** @type {number} */ n, /** @type {string} */ at) => `${subject} 的告警通知被拒收（${why === 'no permission to publish' ? '监测程序的 NATS 用户无发布权限' : why}；本次启动以来 ${n} 条，最近 ${at}）：短信/企业微信网关收不到。请运维处理（权限：complaints.alerts.> 的发布权限）；被拒的通知每分钟重试，下次启动时补发`,
  unknownBranchesTitle: (/** @type {number} */ n, /** @type {string} */ codes) => `全行含 ${n} 条来自计划未列网点（${codes}）的事件：只计入全行，所以各网点之和小于全行`,
  lang: 'English', masked: '公共区域 · 已脱敏',
};

/** @type {typeof ZH} */
const EN = {
  title: 'Complaint early warning', subtitle: '消保投诉预警监测', asOf: 'As of', planYear: (y) => `Plan ${y}`,
  connecting: 'Connecting…', live: '● Live', down: '✕ Disconnected', disconnected: 'Disconnected', staleNote: 'Not updating: the numbers below are not live',
  retryIn: (s) => `retry in ${s} s`, pipelineStale: 'Pipeline stalled', pipelineNote: 'server online, data not updating',
  stallNats: 'NATS connection lost', stallStore: 'ClickHouse writes failing, retrying', stallStoreAway: 'ClickHouse not answering: new tickets cannot be stored', stallIdle: 'not reading the event stream', stallBehind: (d) => `${d} behind`,
  ok: 'OK', watch: 'Watch', breach: 'Breach', critical: 'Critical',
  strictMode: 'Strict · case by case', relativeMode: 'Relative · weekly', strictTag: 'Strict',
  otr: 'One-time resolution', ytdVsAllowance: 'Not agreed / allowance', share: 'Ratio', openCases: 'Open cases', carriedCases: 'Last year\'s cases',
  actualKey: 'Not agreed (cumulative)', allowanceKey: 'Allowance (weekly)', watchKey: 'Watch line', forecastKey: 'Forecast at pace',
  actualShort: 'Not agreed', allowanceShort: 'Allowance', watchShort: 'Watch', forecastShort: 'Forecast', annual: 'Annual ',
  hOtr: 'One-time resolution YTD', hNotAgreed: 'Not agreed / allowance', hCases: 'Open case alerts', hLevels: 'Open level alerts',
  vsLastWeek: 'vs last week', noChange: 'unchanged', updated: 'Updated', lag: 'lag', lagUnknown: 'lag unknown',
  behind: (d) => `display ${d} behind`, behindNote: 'this screen cannot keep up: its numbers lag the server',
  corner: 'Type \\ Branch', all: 'Bank-wide', breachWeek: (w) => `breach wk ${w}`, breachedNow: 'in breach',
  alerts: 'Alerts', noAlerts: 'No alerts', kindCase: 'Case', kindLevel: 'Level', kindScreen: 'Screen',
  urgency: { new: 'New', stale: 'No progress', overdue: 'Overdue' }, cellsNow: 'Cells now', levelHighest: 'peak', levelNow: 'now',
  ladder: { case_meeting: 'Case meeting', mediation: 'Mediation', management: 'Management' }, onCallLevel: (n) => `On call ${n}`,
  open: 'Open', acknowledged: 'Acked', resolved: 'Resolved', screenSilent: (n) => (n ? `Screen ${n} silent` : 'A screen is silent'),
  drillTitle: (t) => `${t} · by branch`, close: 'Close', week: (w) => `Wk ${w}`,
  monthDay: (m, d) => `${MONTHS[m - 1] ?? m} ${d}`,
  othersHead: (n) => `Others (${n})`, othersNotOk: (n) => `${n} not OK`, othersAllOk: 'all OK', othersWorst: 'worst',
  restHead: (n) => `Other types (${n})`, restNotOk: (n) => `${n} not OK`,
  planEnded: (y) => `Plan ${y} has ended · new events not counted`,
  planNotStarted: (y) => `Plan ${y} has not started · new events not counted`,
  deadLetters: (n, sinceStart) => `${n} events not counted (dead letters, last hour${sinceStart ? ', since the monitor started' : ''})`,
  deadLettersShare: (p, sinceStart) => `Input broken: ${p}% of events not counted (dead letters, last hour${sinceStart ? ', since the monitor started' : ''})`,
  intakeNever: 'No tickets received yet', intakeNoneSinceStart: 'No tickets since the monitor started', intakeLast: (t) => `Last ticket ${t}`,
  intakeQuiet: (t, d) => `None for ${d} · last ticket ${t}`,
  unknownBranches: (n) => `incl. ${n} from unlisted branches`,
  lvShort: { critical: 'C', breach: 'B', watch: 'W' },
  levelAlertsTitle: (level) => `Open level alerts by the highest level reached: ${level}`,
  brokerStoreDegraded: '⚠ Broker store (nearly) full: tickets may be refused',
  noticesRefused: '⚠ Alert notices refused by NATS: on-call staff get none',
  noticesRefusedTitle: (subject, why, n, at) => `Alert notices on ${subject} refused (${why}; ${n} since start, last at ${at}): the SMS/WeCom gateways get none. Operators: publish permission on complaints.alerts.> for the monitor's NATS user, or a larger max_payload; refused notices are tried every minute and sent at the next start`,
  unknownBranchesTitle: (n, codes) => `Bank-wide includes ${n} events from branches the plan does not list (${codes}): counted bank-wide only, so the branches sum to less`,
  lang: '中文', masked: 'Public area · masked',
};

/** @typedef {keyof typeof ZH} Key */

/** @param {string} search */
export function langOf(search) {
  return new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'zh';
}

/** @type {typeof ZH} */
export let T = ZH;

/** @param {'zh'|'en'} lang */
export function setLang(lang) {
  T = lang === 'en' ? EN : ZH;
  return T;
}
