// @ts-check
// Kiosk rotation: the board shows one page at a time, larger, switching on a timer: the curves
// (headline and per-type charts), then the matrix (headline, type × branch grid and the alert
// ticker). The page is a body attribute, so CSS alone decides what each page shows.

export const PAGES = /** @type {const} */ (['charts', 'grid']);

/**
 * @param {HTMLElement} body
 * @param {number} seconds
 */
export function startRotation(body, seconds) {
  let i = 0;
  body.dataset.page = PAGES[0];
  const timer = setInterval(() => {
    i = (i + 1) % PAGES.length;
    body.dataset.page = PAGES[i];
    // Charts size themselves from their container; tell them it may have changed.
    window.dispatchEvent(new Event('resize'));
  }, Math.max(1, seconds) * 1000);
  return {
    get page() {
      return body.dataset.page ?? PAGES[0];
    },
    stop() {
      clearInterval(timer);
    },
  };
}
