// @ts-check
// Figures that grow (a cell's "36123/49315" at a large bank late in the year, a 5-digit level
// count) are shrunk to their box instead of running over the next cell or being cut to "…": a
// digit a room cannot see is worse than a smaller one. A cell's lines sit in an inline `.fig`
// whose font size is its parent's times `--fit`, a headline tile's figure has its CSS size times
// `--fit` (style.css): the CSS sizes of every page (kiosk, many rows, children) stay the reference
// and the fit only ever scales down.
// All sizes are read first, then written: one layout for the whole board, after the frame's
// other writes (the browser lays the page out there anyway), and one more for each further pass
// over the lines whose scale was just written.

/** steps of 1/50: a figure's width wobbling by a pixel does not rewrite the style every frame */
const STEP = 50;
/** below this a figure is no longer legible from the room; it would rather touch the border */
const MIN_FIT = 0.3;

/** a line's parts that do not scale with its figure (a tile's gaps, level labels with a minimum
 * size) make one pass under-shrink it; each pass closes most of the rest, never past the fit */
const PASSES = 4;

/**
 * @param {Array<{ box: HTMLElement, fig: HTMLElement }>} lines `fig` inside block `box`: inline,
 *   or a block that clips (its scrollWidth is then the width it needs)
 * @returns {number} how many lines changed their scale
 */
export function fitLines(lines) {
  /** @type {Set<HTMLElement>} */
  const changed = new Set();
  let todo = lines;
  for (let pass = 0; pass < PASSES && todo.length > 0; pass++) {
    const writes = plan(todo, pass > 0);
    for (const [fig, fit] of writes) {
      if (fit === 1) fig.style.removeProperty('--fit');
      else fig.style.setProperty('--fit', String(fit));
      changed.add(fig);
    }
    // measured again only where a scale was written: one more layout per pass, not per line
    const written = new Set(writes.map(([fig]) => fig));
    todo = todo.filter((l) => written.has(l.fig));
  }
  return changed.size;
}

/**
 * @param {Array<{ box: HTMLElement, fig: HTMLElement }>} lines
 * @param {boolean} again a later pass: a line that still does not fit goes down a step at least
 * @returns {Array<[HTMLElement, number]>}
 */
function plan(lines, again) {
  /** @type {Array<[HTMLElement, number]>} */
  const writes = [];
  for (const { box, fig } of lines) {
    const room = box.clientWidth;
    if (room === 0) continue; // not shown: fitted when it is
    const now = Number(fig.style.getPropertyValue('--fit')) || 1;
    const width = Math.max(fig.offsetWidth, fig.scrollWidth);
    const natural = width / now;
    if (natural === 0) continue;
    // two pixels spare: offsetWidth is rounded, and a bold glyph may reach past its advance
    let want = Math.max(MIN_FIT, Math.min(1, Math.floor(((room - 2) / natural) * STEP) / STEP));
    if (again && width > room - 2 && want >= now) want = Math.max(MIN_FIT, now - 1 / STEP);
    if (Math.abs(want - now) >= 1 / STEP - 1e-9) writes.push([fig, want]);
  }
  return writes;
}
