// The board is laid out for 1920×1080. A 4K display gets that layout at twice the size
// (style.css); a smaller one — a 1366×768 television, a 1280×720 output, a laptop — gets it
// scaled down to fit, instead of a page cut off at the right, where the connection pill is.
// A screen stood on its side (1080×1920) has a layout of its own, 1080 wide with the sections
// stacked (`html.portrait` in style.css): the landscape one shrunk to its width left most words
// at 7–10 px.

export const DESIGN = { width: 1920, height: 1080 };
export const PORTRAIT = { width: 1080, height: 1920 };

/** taller than wide by a fifth or more: the stacked layout (a square-ish 1280×1024 stays landscape) */
export const isPortrait = (/** @type {number} */ width, /** @type {number} */ height) => width > 0 && height >= width * 1.2;

/**
 * The zoom for a viewport: 1 when the design fits, else the largest that fits both ways.
 * @param {number} width
 * @param {number} height
 */
export function fitZoom(width, height) {
  const design = isPortrait(width, height) ? PORTRAIT : DESIGN;
  if (!(width > 0 && height > 0) || (width >= design.width && height >= design.height)) return 1;
  return Math.min(width / design.width, height / design.height);
}

/** Keeps the page's zoom and orientation fitted to the window (CSS zoom leaves innerWidth as it is). */
export function fitToScreen(win = window) {
  const apply = () => {
    const z = fitZoom(win.innerWidth, win.innerHeight);
    const root = win.document.documentElement;
    root.classList.toggle('portrait', isPortrait(win.innerWidth, win.innerHeight));
    root.style.zoom = z === 1 ? '' : z.toFixed(4);
  };
  apply();
  win.addEventListener('resize', apply);
}
