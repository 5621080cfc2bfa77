// Whether what the console shows is current. The console reacted only to its socket closing, so
// through a broker outage, a hung monitor (TCP open, nothing sent) or paused counting it said
// "实时 live" over a list in full colour (soak CE F1). It now keeps the wall's rules
// (docs/WALLBOARD.md "Page rules"), with the wall's own code for the pipeline: three missed
// heartbeats mean the link is dead; a pipeline not consuming, a broker not connected or a large
// lag mean the numbers have stopped. Either greys the list and says so.

import { pipelineStalled, stallNote } from '../src/data-quality.js';
import { LAG_STALE_MS } from '../src/page-options.js';
import { T } from '../src/i18n.js';

/** The wall's silence limit: three of the server's heartbeats and a second of slack. */
export const silenceLimitMs = (heartbeatMs) => heartbeatMs * 3 + 1000;

/**
 * What the pill, the stall banner and the list say, from the link and the last pipeline facts.
 * @param {{ link: 'connecting'|'live'|'silent'|'closed', pipeline: any }} f
 */
export function consoleLinkView(f) {
  const stalled = f.link === 'live' && pipelineStalled(f.pipeline, LAG_STALE_MS);
  if (f.link === 'silent') return { state: 'closed', pill: '✕ 连接中断（无心跳），重连中 no heartbeat, reconnecting', stale: true, banner: '' };
  if (f.link === 'closed') return { state: 'closed', pill: '✕ 已断开，重连中 reconnecting', stale: true, banner: '' };
  if (f.link === 'connecting') return { state: 'connecting', pill: '连接中…', stale: false, banner: '' };
  if (stalled) {
    return {
      state: 'stalled', pill: `⚠ ${T.pipelineStale} pipeline stalled`, stale: true,
      banner: `⚠ ${T.pipelineStale}（${stallNote(f.pipeline, T)}）：列表与数字非实时，新工单暂不产生预警 · pipeline stalled: alerts and figures are not current`,
    };
  }
  return { state: 'live', pill: '实时 live', stale: false, banner: '' };
}

/**
 * Watches one page's link: `heard()` on every frame re-arms the silence watchdog; `onSilent`
 * runs once when three heartbeats pass with nothing.
 */
export function silenceWatch(onSilent) {
  let heartbeatMs = 5000;
  let timer;
  return {
    heard(msg) {
      if (typeof msg?.heartbeatMs === 'number' && msg.heartbeatMs > 0) heartbeatMs = msg.heartbeatMs;
      clearTimeout(timer);
      timer = setTimeout(onSilent, silenceLimitMs(heartbeatMs));
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** Puts a view on the page: the pill, the stall banner, and the list greyed while not current. */
export function showLinkView(view) {
  const conn = document.getElementById('conn');
  conn.dataset.state = view.state;
  conn.textContent = view.pill;
  const banner = document.getElementById('stall-banner');
  banner.hidden = !view.banner;
  if (banner.textContent !== view.banner) banner.textContent = view.banner;
  document.body.classList.toggle('stale', view.stale);
}

/** The link and the pipeline as last heard; each call with what changed puts the view on the page. */
export function linkShown() {
  const facts = { link: 'connecting', pipeline: null };
  return (next) => showLinkView(consoleLinkView(Object.assign(facts, next)));
}
