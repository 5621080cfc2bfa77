// The console's banners about the pipeline, from the snapshot's and each heartbeat's `pipeline`.

const $ = (id) => document.getElementById(id);

function show(id, text) {
  const b = $(id);
  b.hidden = !text;
  if (b.textContent !== text) b.textContent = text;
}

/** Gateway notices the broker refuses, a plan change a restart set aside, and people's actions the alert log has not stored yet. */
export function showPipelineBanners(pipeline) {
  const r = pipeline?.noticesRefused;
  // the people on call hear of nothing until an operator acts
  show('notice-banner', r ? `告警通知发不出：NATS 拒收 ${r.subject}（${r.why === 'no permission to publish' ? '无发布权限' : r.why}，已 ${r.count} 条），值班人员收不到短信/企业微信，请电话通知并联系运维 · Alert notices refused by NATS: on-call staff get none` : '');
  // said to every console, also one opened after the action: the action's own answer said it once
  const w = pipeline?.alertLogWaiting;
  const kept = w && w.notOnDisk > 0 ? `其中 ${w.notOnDisk} 条本机磁盘也无法暂存，监测重启将丢失` : '已暂存于监测本机磁盘，自动重试';
  // ClickHouse refusing the event writes: new tickets are neither counted nor alerted;
  // one failed write retried a second later is not said (as the wall's stall: 10 s)
  const stalled = typeof pipeline?.writeFailingMs === 'number' && pipeline.writeFailingMs >= 10_000;
  // no ticket coming (a night), the store away: found by the monitor's presence every 5 s
  const away = !stalled && typeof pipeline?.storeUnansweredMs === 'number' && pipeline.storeUnansweredMs >= 10_000;
  show('store-banner', stalled ? `新工单暂未入库（ClickHouse 拒绝写入，自动重试中）：新工单不计数、不产生预警，恢复后自动补上 · event writes failing: new tickets are not counted yet (${pipeline.writeError ?? 'write failed'})`
    : away ? 'ClickHouse 无应答（自动重试中）：此后到达的新工单暂不能入库、不计数、不产生预警，恢复后自动补上 · ClickHouse not answering: tickets that come are not counted until it answers' : '');
  const p = pipeline?.planFileWarning;
  const unrecorded = p && p.includes('not yet recorded in ClickHouse');
  show('plan-banner', !p ? '' : unrecorded
    ? `管控计划调整已生效，但其记录尚未写入 ClickHouse，正在自动重试 · ${p}`
    : `监测重启时载入了 PLAN 计划文件，此前的运行时计划调整已不再生效，据其解除的预警可能重新开启：请管理员把调整写入计划文件，或确认文件中的计划即所需 · ${p}`);
  show('log-banner', w ? `预警日志暂不可写（ClickHouse 拒绝写入）：${w.rows} 条操作与记录尚未存档，${kept}；此时的确认、备注等操作已生效但未存档 · alert log not writable: ${w.rows} rows not stored yet` : '');
}

/** the build this page was served with (its meta tag); else its link's first */
let build = document.querySelector('meta[name="web-build"]')?.getAttribute('content') ?? undefined;
/**
 * The monitor's web build (server/web-build.ts) from each snapshot: another than the page's
 * means the monitor was upgraded (or put back) while this console stayed open. It is not reloaded
 * by itself (a person may be typing): it says so, until the link is back on the page's build.
 */
export function noteBuild(next) {
  build ??= next;
  show('upgrade-banner', next && next !== build ? '监测程序已更换版本：请刷新本页（F5）以使用当前版本 · the monitor changed version: reload this page' : '');
}
