// Headless Chromium for page tests: the system's /usr/bin/chromium through playwright-core.
// Nothing is ever downloaded; if the binary is missing the tests say so instead of fetching one.

import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} (install the distribution package or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close().catch(() => undefined);
}

export interface OpenedPage {
  page: Page;
  /** uncaught exceptions and console errors seen by the page so far */
  errors: string[];
}

/** A page sized like the monitoring-room display (1920×1080, zh-CN, Shanghai clock). */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1920, height: 1080 },
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused WebSocket upgrade is logged by Chromium itself; that is the scenario, not a bug.
    if (m.type() === 'error' && !/WebSocket connection to/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** Saves test-artifacts/<name>.png (git-ignored) and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = `${ARTIFACTS_DIR}${name}.png`;
  await page.screenshot({ path });
  return path;
}

/**
 * Waits until a JavaScript expression is true in the page. The monitor's pages forbid string
 * evaluation (CSP without 'unsafe-eval'), which playwright's `waitForFunction` with a string
 * needs; `evaluate` runs through the DevTools protocol, which the page's CSP does not govern.
 */
export async function waitForExpression(page: Page, expression: string, { timeout = 15_000, polling = 100 } = {}): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, polling));
  }
}
