// @ts-check
// Worst first: the order the wall puts branches, types and drill charts in when not all of them
// fit. A level outranks any ratio; between equal levels the higher ratio; between equals the
// plan's own order.

export const LEVELS = ['ok', 'watch', 'breach', 'critical'];

/** @param {string|undefined} level 0 (ok, or unknown) … 3 (critical) */
export const levelRank = (level) => Math.max(0, LEVELS.indexOf(level ?? 'ok'));

/**
 * @template T
 * @param {T[]} items in the plan's order
 * @param {(item: T) => { rank: number, ratio: number }} severity
 * @returns {T[]}
 */
export function worstFirst(items, severity) {
  return items
    .map((item, i) => ({ item, i, ...severity(item) }))
    .sort((a, b) => b.rank - a.rank || b.ratio - a.ratio || a.i - b.i)
    .map((x) => x.item);
}
