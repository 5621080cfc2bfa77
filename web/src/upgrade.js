// @ts-check
// A wall screen stays open for days; an upgraded monitor serves scripts it never loads. Each /ws
// snapshot names the monitor's web build (server/web-build.ts): a screen whose link comes back to
// another build than the page's own reloads itself, at most once in RELOAD_GAP_MS, so two versions
// behind one address during a rolling upgrade cannot keep a screen reloading.

const RELOAD_GAP_MS = 5 * 60 * 1000;
const KEY = 'wallboard.reloadedForBuildAt';

/** the build this page was served with (its meta tag); else, as before that tag, its link's first */
/** @type {string|undefined} */
let build = document.querySelector('meta[name="web-build"]')?.getAttribute('content') ?? undefined;

/**
 * Whether this page should reload for the snapshot's build; notes the time if so.
 * @param {string|undefined} next @param {number} nowMs
 */
export function reloadForBuild(next, nowMs) {
  build ??= next;
  if (!next || next === build) return false;
  let last = 0;
  try {
    last = Number(sessionStorage.getItem(KEY) ?? 0);
    if (nowMs - last < RELOAD_GAP_MS) return false;
    sessionStorage.setItem(KEY, String(nowMs));
  } catch {
    // no storage: reload all the same, once per page
  }
  return true;
}
