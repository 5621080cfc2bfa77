// The board is laid out for 1920×1080. A 4K display gets that layout at twice the size
// (style.css); a smaller one — a 1366×768 television, a 1280×720 output, a laptop — gets it
// scaled down to fit, instead of a page cut off at the right, where the connection pill is.

export const DESIGN = { width: 1920, height: 1080 };

/**
 * The zoom for a viewport: 1 when the design fits, else the largest that fits both ways.
 * @param {number} width
 * @param {number} height
 */
export function fitZoom(width, height) {
  if (!(width > 0 && height > 0) || (width >= DESIGN.width && height >= DESIGN.height)) return 1;
  return Math.min(width / DESIGN.width, height / DESIGN.height);
}

/** Keeps the page's zoom fitted to the window (CSS zoom leaves innerWidth as it is). */
export function fitToScreen(win = window) {
  const apply = () => {
    const z = fitZoom(win.innerWidth, win.innerHeight);
    win.document.documentElement.style.zoom = z === 1 ? '' : z.toFixed(4);
  };
  apply();
  win.addEventListener('resize', apply);
}
