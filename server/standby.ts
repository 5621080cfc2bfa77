// What a monitor that does not count answers: refused the counting lease at start (a standby
// under a restart policy, exiting 75 in 10 s) or displaced while it counted (`lost`, exiting at
// once). It keeps no numbers, so every surface but /api/health and /metrics answers 503
// NOT_COUNTING, but only once the caller's token has passed that surface's own check: an
// anonymous caller gets the 401 a counting monitor gives (contract section 5, audit CN2).
// Which monitor counts (host, DATA_DIR, pid, start) is said to supervisors and admins, who call
// whoever runs the monitors, and in open local mode (loopback callers only); a viewer token (a
// wall screen in a room, a scraper) is told that this one is a standby, not where the other runs.
// /api/health keeps `lease.heldBy` for its callers, as documented (docs/OPERATIONS.md).

import type { Access } from './access.ts';
import { HttpError } from './errors.ts';
import { escapeHtml as esc } from './html.ts';

export interface HolderView {
  host: string;
  dataDir: string;
  pid: number;
  startedAt: string;
}

/** The lease as a monitor that does not count sees it (`lease.view()`). */
export interface NotCountingLease {
  status: 'refused' | 'lost';
  heldBy: HolderView | null;
  message?: string;
}

/** How often the standby page asks again, and the Retry-After of the 503s (a standby's cycle is ~12 s). */
export const STANDBY_RETRY_S = 5;

export function mayKnowHolder(access: Access): boolean {
  return access.role !== 'viewer';
}

export class NotCountingError extends HttpError {
  constructor(
    readonly lease: NotCountingLease,
    /** the holder, when the caller may know it */
    readonly holder: HolderView | null | undefined,
  ) {
    super(503, 'NOT_COUNTING', holder !== undefined ? (lease.message ?? `counting lease ${lease.status}`) : unnamed(lease.status));
  }
}

const unnamed = (status: NotCountingLease['status']) =>
  status === 'refused'
    ? 'this monitor is a standby: another monitor holds the counting lease and counts; this one keeps no numbers and tries again under its restart policy (supervisor and admin tokens are told which monitor counts)'
    : 'this monitor lost the counting lease to another monitor and stops; it keeps no numbers (supervisor and admin tokens are told which monitor counts)';

/** The 503 for a caller whose token passed the surface's check. */
export function notCounting(lease: NotCountingLease, access: Access): NotCountingError {
  return new NotCountingError(lease, mayKnowHolder(access) ? lease.heldBy : undefined);
}

const PAGE_NAMES: Record<string, string> = { '/': '预警大屏 · the wall-board', '/console/': '主管控制台 · the console', '/console/review': '分类复核页 · the review page' };

/**
 * For a browser's page request (a wall screen's kiosk reloading, a console opened): a page that
 * says so and becomes the page asked for once a monitor counts at this address. It asks again by
 * script (web/standby.js), not by a meta refresh: a standby restarting leaves its port closed for
 * a moment, and a refresh landing then leaves the browser's own error page, which never retries.
 */
export function standbyPage(err: NotCountingError, path: string): string {
  const page = PAGE_NAMES[path] ?? PAGE_NAMES['/']!;
  const h = err.holder;
  const who =
    h === undefined
      ? '<p class="muted">正在计数的服务仅向主管、管理员令牌显示 · which monitor counts is shown to supervisor and admin tokens</p>'
      : h === null
        ? '<p>正在计数 / counting: 租约记录无法读取（到期自动失效）· an unreadable lease record (it expires by itself)</p>'
        : `<p>正在计数 / counting: 主机 host <code>${esc(h.host)}</code> · DATA_DIR <code>${esc(h.dataDir)}</code> · pid <code>${h.pid}</code> · 启动于 started <code>${esc(h.startedAt)}</code></p>`;
  const lost = err.lease.status === 'lost';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="monitor-standby" content="${err.lease.status}"><title>备用监测服务 · Standby monitor</title>
<style>body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#0b1220;color:#e6edf3;
font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","WenQuanYi Zen Hei",sans-serif}
main{max-width:960px;padding:32px;border:2px solid #d29922;border-radius:12px;background:#1a1608}
h1{margin:0 0 12px;font-size:36px}p{font-size:20px;line-height:1.6;margin:8px 0}code{color:#ffd580}.muted{color:#9aa4b2}</style>
<script src="/standby.js" defer></script></head>
<body><main><h1>${lost ? '此监测服务已停止计数 · This monitor stopped counting' : '此监测服务为备用 · This monitor is a standby'}</h1>
<p>${lost ? '另一台监测服务接管了计数，本服务不再计数，即将退出并由其重启策略重新启动。' : '另一台监测服务持有计数租约并正在计数；本服务不计数，也不显示数据，并按其重启策略自动重试。'}一旦由本地址的服务计数，本页将自动显示${esc(page.split(' · ')[0]!)}，无需手动刷新。</p>
<p>${lost ? 'Another monitor took over counting: this one no longer counts and exits, for its restart policy to start it again.' : 'Another monitor holds the counting lease and counts: this one neither counts nor shows figures, and tries again under its restart policy.'} Once the monitor at this address counts, this page becomes ${esc(page.split(' · ')[1]!)} by itself.</p>
${who}
<p id="standby-status" class="muted">本页每 ${STANDBY_RETRY_S} 秒自动检查一次 · this page checks every ${STANDBY_RETRY_S} s</p></main></body></html>`;
}
