// @ts-check
// A cell or panel that turns critical blinks for a while, then stays marked in steady strong
// colours (style.css): a blink that never stops stops meaning "new" on a wall watched for hours,
// and restyled the page every frame all night. The blink is an opacity change on a
// pseudo-element, which the compositor runs without restyling the page.
// Only a change seen by this page starts it: the first picture after opening has nothing new.

/** how long a newly critical cell blinks */
export const ALARM_MS = 3 * 60_000;

/** @type {Map<HTMLElement, number>} node → when its blink ends (Date.now() ms) */
const until = new Map();
/** @type {ReturnType<typeof setTimeout>|undefined} */
let timer;

/**
 * @param {HTMLElement} node
 * @param {string|undefined} before the level shown so far ('none' before the first picture)
 * @param {string} after
 */
export function alarmOnLevel(node, before, after) {
  if (after !== 'critical') {
    if (until.delete(node)) delete node.dataset.alarm;
    return;
  }
  if (before === 'critical' || before === 'none' || before === undefined) return;
  node.dataset.alarm = '';
  until.set(node, Date.now() + ALARM_MS);
  schedule();
}

function schedule() {
  clearTimeout(timer);
  timer = undefined;
  if (until.size === 0) return;
  let next = Infinity;
  for (const t of until.values()) next = Math.min(next, t);
  timer = setTimeout(expire, Math.max(0, next - Date.now()));
}

function expire() {
  const now = Date.now();
  for (const [node, t] of until) {
    if (t > now) continue;
    delete node.dataset.alarm;
    until.delete(node);
  }
  schedule();
}
