import type { Page, Route } from 'playwright-core';

/**
 * Holds the real responses of matching requests in the browser until `release` is called: the
 * monitor answers at once, the page hears it later. With `first`, only that many matching requests
 * are held and later ones pass, so an older answer can be made to arrive after a newer one.
 */
export function holdResponses(page: Page, match: (url: URL) => boolean, { first = Infinity } = {}) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let fetchedOne!: () => void;
  const fetched = new Promise<void>((r) => (fetchedOne = r));
  let held = 0;
  const handler = async (route: Route) => {
    if (held >= first) return route.continue();
    held += 1;
    const response = await route.fetch(); // the monitor answers now...
    fetchedOne();
    await released; // ...the page hears it later
    await route.fulfill({ response });
  };
  return { install: () => page.route((url) => match(url), handler), fetched, release: () => release() };
}
