// What a browser shows when a page (the wall-board, the console) refuses its token: in words, in
// Chinese and English, with the server's reason, instead of a line of JSON on a wall display.

import { escapeHtml as esc } from './html.ts';

const PAGES = new Set(['/', '/console/', '/console/review']);

/** A browser's GET of one of the pages (not an API call, which keeps its JSON answer). */
export function isPageRequest(method: string, url: string, accept: string | undefined): boolean {
  return method === 'GET' && PAGES.has(url.split('?')[0]!) && (accept ?? '').includes('text/html');
}

export function refusedPage(reason: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>访问被拒绝 · Access refused</title>
<style>body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#0b1220;color:#e6edf3;
font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
main{max-width:900px;padding:32px;border:2px solid #c8102e;border-radius:12px;background:#1a0f16}
h1{margin:0 0 12px;font-size:36px}p{font-size:20px;line-height:1.6;margin:8px 0}code{color:#ffb4c0}</style></head>
<body><main><h1>访问被拒绝 · Access refused</h1>
<p>此页面地址中的访问令牌（<code>?token=</code>）缺失、无效或已更换。请向管理员索取此屏幕的令牌后重新打开。</p>
<p>The access token in this page's address (<code>?token=</code>) is missing, unknown or has been replaced. Ask an administrator for this screen's token and open the page again.</p>
<p>原因 / reason: <code>${esc(reason)}</code></p></main></body></html>`;
}
