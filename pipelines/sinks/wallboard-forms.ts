import type { LiveMessage, RingEntry } from './wallboard-core.ts';
import { hasPrivate, publicMessage } from './wallboard-public.ts';
import { briefAlert } from './wallboard-brief.ts';

// The hub's decisions that need no socket: which form of a frame a screen is sent (full or the
// wall's brief form, open or masked for a public area), which frames it takes at all, and what
// becomes of a screen held back because its link fell behind. Plain values in, plain values out.

/** What a screen asks for, as far as the form of its frames goes. */
export interface ScreenForm {
  /** public-area screen: alerts without names or ticket references */
  masked?: boolean;
  /** a wall screen: snapshots and alert frames in the wall's brief form (wallboard-brief.ts) */
  briefSnapshot?: boolean;
  /** the message types this screen takes besides snapshots (unset: every type) */
  only?: ReadonlySet<string>;
}

/**
 * An alert frame in the wall's form: its history carries every note and action (a busy alert's
 * frame passed 100 KB), and a wall draws only the case's ladder steps.
 */
export function briefForms(full: LiveMessage): Pick<RingEntry, 'brief' | 'briefMasked'> {
  if (full.type !== 'alert' || !Array.isArray(full.history)) return {};
  const brief = briefAlert(full) as LiveMessage;
  return {
    brief: JSON.stringify(brief),
    ...(hasPrivate(brief) ? { briefMasked: JSON.stringify(publicMessage(brief)) } : {}),
  };
}

/** Whether this screen is sent frames of this type (a client naming no view: the contract's only). */
export const takes = (screen: ScreenForm, e: Pick<RingEntry, 'type'>) =>
  !screen.only || e.type === undefined || screen.only.has(e.type);

/** The frame as this screen takes it: brief for a wall, public for a public-area screen. */
export function formFor(screen: ScreenForm, e: RingEntry): string {
  if (screen.briefSnapshot && e.brief !== undefined) return screen.masked ? (e.briefMasked ?? e.brief) : e.brief;
  return screen.masked && e.masked !== undefined ? e.masked : e.text;
}

/** The form a snapshot takes for this screen; screens of one form share one text of it. */
export const snapshotForm = (screen: ScreenForm) =>
  `${screen.briefSnapshot ? 'brief' : 'full'}/${screen.masked ? 'masked' : 'open'}`;

/**
 * Of what waits in a socket's buffer, the part sent after the last snapshot. The buffer drains
 * first in, first out, so the snapshot (and anything before it) leaves first: what is still
 * buffered is at most what was sent since.
 */
export const backlogAfterSnapshot = (bufferedAmount: number, sentSinceSnapshot: number) =>
  Math.min(bufferedAmount, sentSinceSnapshot);

/**
 * What becomes of a screen frames are held back from, judged on each frame it misses:
 * - `snapshot`: its link has drained to a quarter of the bound, so it gets a fresh picture;
 * - `progress`: it drained something since last checked, so its stuck time starts again;
 * - `wait`: it drained nothing, but for less than `stuckMs`;
 * - `cut`: it drained nothing for `stuckMs`, a reader that stopped, not a slow one.
 * `heldBuffered` is its buffered bytes when last checked (unset: never checked yet).
 */
export function heldScreen(
  buffered: number,
  heldBuffered: number | undefined,
  heldSinceMs: number,
  now: number,
  maxBuffered: number,
  stuckMs: number,
): 'snapshot' | 'progress' | 'wait' | 'cut' {
  if (buffered <= maxBuffered / 4) return 'snapshot';
  if (buffered < (heldBuffered ?? Infinity)) return 'progress';
  return now - heldSinceMs < stuckMs ? 'wait' : 'cut';
}
