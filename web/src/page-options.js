// @ts-check
// What the wall page's address asks of it (the query string; the language is i18n.js#langOf's):
// ?kiosk (no controls, rotating pages every ?rotate=<seconds>), ?masked (public area),
// ?screen=<name>, ?token=<viewer token>, ?lagStaleMs=<ms> (a pipeline this far behind is shown
// as stalled) and ?quietHours=<h> (no ticket this long is said; intake.js). A value missing, not
// a number or zero takes the default.

import { QUIET_MS } from './intake.js';

/** a pipeline this far behind is shown as stalled, not live (default of ?lagStaleMs=) */
export const LAG_STALE_MS = 120_000;
/** seconds each kiosk page stays (default of ?rotate=) */
export const ROTATE_SECONDS = 20;
/** a screen's name is cut to this many characters */
export const SCREEN_NAME_MAX = 64;

/**
 * @typedef {{ kiosk: boolean, masked: boolean, token: string, lagStaleMs: number, quietMs: number,
 *   rotate: number, screen: string }} PageOptions
 * @param {string} search the address's query string (`location.search`)
 * @returns {PageOptions}
 */
export function pageOptions(search) {
  const params = new URLSearchParams(search);
  return {
    kiosk: params.has('kiosk'),
    masked: params.has('masked'),
    token: params.get('token') ?? '',
    lagStaleMs: Number(params.get('lagStaleMs')) || LAG_STALE_MS,
    quietMs: Number(params.get('quietHours')) * 3_600_000 || QUIET_MS,
    rotate: Number(params.get('rotate')) || ROTATE_SECONDS,
    screen: (params.get('screen') ?? '').slice(0, SCREEN_NAME_MAX),
  };
}
