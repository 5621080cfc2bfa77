// @ts-check
// What the top bar and every tile say about the numbers: live, behind, stalled or down. A screen
// that falls behind its own frames (backlog.js) says by how much instead of "live"; as far behind
// as a stalled pipeline (2 minutes) its numbers are not live at all and go grey, like one.

import { BEHIND_MS } from './backlog.js';
import { duration } from './format.js';

/**
 * @typedef {{ status: string, pipelineStale: boolean, lagMs: number, hasPicture: boolean, staleMs: number }} LinkFacts
 * @typedef {{ live: string, down: string, connecting: string, disconnected: string, pipelineStale: string,
 *   behind: (d: string) => string, lag: string, lagUnknown: string }} LinkWords
 */

/**
 * @param {LinkFacts} f
 * @param {LinkWords} T
 */
export function linkView(f, T) {
  const live = f.status === 'live';
  const behind = live && f.lagMs > BEHIND_MS;
  const late = live && f.lagMs > f.staleMs;
  const fresh = live && !f.pipelineStale && !late;
  const down = !live && (f.hasPicture || f.status === 'disconnected');
  const pill = live ? (f.pipelineStale ? 'stalled' : behind ? 'behind' : 'live') : down ? 'disconnected' : 'connecting';
  return {
    live, fresh, down, behind, pill,
    pillText: pill === 'stalled' ? `⚠ ${T.pipelineStale}` : pill === 'behind' ? `⚠ ${T.behind(duration(f.lagMs))}` : live ? T.live : down ? T.down : T.connecting,
    banner: down || (live && !fresh),
    bannerTitle: down ? T.disconnected : f.pipelineStale ? T.pipelineStale : T.behind(duration(f.lagMs)),
  };
}

/**
 * The tiles' words after their update time: how far this screen is behind when it is, else the
 * pipeline's lag ("unknown" while the link is not live).
 * @param {LinkFacts} f @param {{ lagMs?: number|null }|null} pipeline @param {LinkWords} T
 */
export function lagText(f, pipeline, T) {
  if (f.status !== 'live') return T.lagUnknown;
  if (f.lagMs > BEHIND_MS) return T.behind(duration(f.lagMs));
  return pipeline == null || pipeline.lagMs == null ? T.lagUnknown : `${T.lag} ${duration(pipeline.lagMs)}`;
}
