/**
 * The real browser of the console's journeys: Debian's Chromium (apt-get install chromium) driven
 * by playwright-core, headless with the flags this machine needs; axe-core injected for the
 * accessibility check; screenshots kept under .tmp/ as test artifacts.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
const SHOTS = new URL('../../.tmp/', import.meta.url);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Whether the journey can run; says why not (once per file) when it cannot. */
export function chromiumAvailable(journey: string): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok) console.warn(`${journey} skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
  return ok;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** A console-sized page (1280×800) whose script errors land in `errors`, with waits long enough for a loaded CI machine. */
export async function consolePage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(20_000);
  return page;
}

/** A full-page screenshot at .tmp/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
}

/** axe-core in the page; the serious and critical violations, named. */
export async function axeProblems(page: Page): Promise<string[]> {
  // The console's CSP refuses inline scripts (addScriptTag's); evaluation by the driver is not a page script.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const results = await page.evaluate(async () => (window as any).axe.run(document));
  return (results.violations as Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>)
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
