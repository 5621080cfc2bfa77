// @ts-check
// window.__wallboard: what the page holds and draws, read by the browser tests (and by a person
// at the console) without reaching into the page's modules. Read-only: every live value is a
// getter over the page's own state, so a reader always sees it as it is now and cannot change it.

/**
 * @typedef {{
 *   state: () => import('./state.js').BoardState,
 *   link: () => import('./socket.js').LinkState,
 *   lastSeq: () => number|null,
 *   shownSeq: () => number|null,
 *   redraws: () => number,
 *   measures: () => number,
 *   behindMs: () => number,
 *   pipelineStale: () => boolean,
 *   page: () => string|null,
 *   frames: () => number,
 *   screenId: () => string,
 *   drill: typeof import('./drill.js').drillView,
 * }} BoardReaders how to read each live value of the page
 */

/**
 * Puts the read-only `window.__wallboard` on the page.
 * @param {BoardReaders} read
 * @param {{ lang: string, kiosk: boolean, masked: boolean }} fixed what the page was opened with
 */
export function exposeBoard(read, { lang, kiosk, masked }) {
  Object.defineProperty(window, '__wallboard', {
    value: Object.freeze({
      get state() { return read.state(); },
      get connected() { return read.link().status === 'live'; },
      get lastSeq() { return read.lastSeq(); },
      get shownSeq() { return read.shownSeq(); },
      get redraws() { return read.redraws(); },
      get measures() { return read.measures(); },
      get behindMs() { return read.behindMs(); },
      get link() { return { ...read.link() }; },
      get pipelineStale() { return read.pipelineStale(); },
      get page() { return read.page(); },
      get frames() { return read.frames(); },
      get screenId() { return read.screenId(); },
      get drill() { return read.drill(); },
      lang, kiosk, masked,
    }),
  });
}
