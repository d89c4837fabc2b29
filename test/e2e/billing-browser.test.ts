/**
 * The billing dashboard in a real browser (Debian's Chromium driven by playwright-core) against a
 * real server with the emulator, its billing routes and its billing runner: the seed's flow — the
 * integration listed with its mode and account, a plan applied (the jobs succeed, followed by
 * server-sent events), a consumer subscribed (the paid invoice shows), a blocked job retried after
 * its fault is fixed — at 1280×800 and narrow, keyboard-operable, with no serious axe violation.
 * Screenshots go to .tmp/billing-*.png.
 */
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  axeProblems,
  chromiumAvailable,
  consolePage,
  launchChromium,
  screenshot,
} from '../support/browser.ts';
import { BillingService, type WorkerEvent } from '../../src/billing/index.ts';
import { consolePlugin } from '../../src/console/index.ts';
import { billingRunner } from '../../src/server/billing-runner.ts';
import { billingRoutes } from '../../src/server/routes/billing.ts';
import { issueToken, startServer, storePorts, type RunningServer } from '../../src/server/index.ts';
import { bench, ref, type Bench } from '../billing/support.ts';

const PLANS = readFileSync(fileURLToPath(new URL('../../examples/plans.yaml', import.meta.url)), 'utf8');
const hasChromium = chromiumAvailable('billing browser journey');

let b: Bench;
let server: RunningServer;
let browser: Browser;
let page: Page;
let token: string;
const pageErrors: string[] = [];
/** Set by a test: the next job of this consumer loses its key just as the runner starts it. */
let sabotage: string | null = null;

const shot = (name: string) => screenshot(page, `billing-${name}`);

const rowsWith = (status: string) => page.locator(`tr[data-status="${status}"]`).count();
const consumer = (id: string) => page.locator(`section[data-consumer="${id}"]`);

describe.skipIf(!hasChromium)('the billing dashboard in Chromium', () => {
  beforeAll(async () => {
    b = await bench();
    // What `billing integration add`, `catalog add` and `catalog attach` did before the server started.
    const cli = new BillingService({ store: b.store, env: b.env });
    await cli.addIntegration({ title: 'My Billing', publishableKey: ref('PK'), secretKey: ref('SK') });
    await cli.addCatalog('sandbox', 'sandbox');
    await cli.attach('sandbox', 'my-billing');
    await cli.close();
    const onEvent = (e: WorkerEvent) => {
      const payload = 'job' in e ? (e.job.payload as { consumer?: string }) : {};
      if (e.kind === 'started' && sabotage && payload.consumer === sabotage) {
        sabotage = null;
        delete b.env.SK; // the key's variable is gone when the job resolves it, a moment later
      }
    };
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      ports: storePorts(b.store),
      env: b.env,
      log: { level: 'silent' },
      plugins: [
        consolePlugin(),
        // One attempt per job, so a failure blocks at once and the retry can be shown without waiting.
        billingRoutes({ store: b.store, retry: { maxAttempts: 1 }, streamIntervalMs: 100 }),
        billingRunner({ store: b.store, idleMs: 50, onEvent }),
      ],
    });
    token = (await issueToken(server.ports.tokens, { scopes: ['admin'], label: 'console' })).token;
    browser = await launchChromium();
    page = await consolePage(browser, pageErrors);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close(); // the store with it
    await b?.em.close();
    if (b) rmSync(b.dir, { recursive: true, force: true });
  });

  it('lists the integration with its mode, account, catalogs and an empty queue', async () => {
    await page.goto(`${server.url}/#/billing`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
    const row = page.locator('tr[data-integration="my-billing"]');
    await expect.poll(() => row.textContent()).toContain('acct_main');
    const cells = await row.locator('th, td').allTextContents();
    expect(cells.slice(0, 9)).toEqual([
      'My Billing',
      'my-billing',
      'test',
      'acct_main',
      'sandbox',
      '0',
      '0',
      '0',
      '0',
    ]);
    expect(await page.getByRole('link', { name: 'Billing' }).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.locator('#billing-live').textContent()).toContain('Live');
    await shot('integrations');
    expect(await axeProblems(page)).toEqual([]);
  });

  it('shows a plan’s changes, applies it, and follows the jobs to success by server-sent events', async () => {
    await page.getByLabel('Plan file (YAML)').fill(PLANS);
    await page.getByRole('button', { name: 'Show changes' }).click();
    await page.getByRole('heading', { name: 'Would change' }).waitFor();
    expect(await page.locator('form[aria-labelledby="plan-title"] li').count()).toBe(4);
    await page.getByRole('button', { name: 'Apply plan' }).click();
    await page.getByRole('heading', { name: 'Enqueued' }).waitFor();
    await expect.poll(() => rowsWith('succeeded'), { timeout: 20_000 }).toBe(4);
    // Times read as dates, with the raw epoch value kept in the title.
    const created = page.locator('tr[data-job] time').first();
    expect(await created.textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(await created.getAttribute('title')).toMatch(/^\d{13}$/);
    // A second apply changes nothing.
    await page.getByRole('button', { name: 'Apply plan' }).click();
    await page.getByText('Nothing to change: Stripe has this plan already.').waitFor();
    await shot('applied');
  });

  it('subscribes a consumer with a card; the paid invoice shows', async () => {
    await page.getByLabel('Plan', { exact: true }).fill('pro-monthly');
    await page.getByLabel('Consumer id').fill('c-1');
    await page.getByLabel('Email').fill('c1@example.com');
    expect(await page.getByLabel('Card (PaymentMethod)').inputValue()).toBe('pm_card_visa');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await expect.poll(() => rowsWith('succeeded'), { timeout: 20_000 }).toBe(8);
    await expect.poll(() => consumer('c-1').textContent(), { timeout: 20_000 }).toContain('paid');
    const invoices = consumer('c-1').getByRole('table', { name: 'Invoices of c-1' });
    expect(await invoices.textContent()).toContain('29.00 USD');
    expect(
      await consumer('c-1').getByRole('table', { name: 'Subscriptions of c-1' }).textContent(),
    ).toContain('active');
    await shot('subscribed');
    expect(await axeProblems(page)).toEqual([]);
  });

  it('shows a blocked job with its problem, and retries it once the fault is fixed', async () => {
    const sk = b.env.SK;
    sabotage = 'c-2';
    await page.getByLabel('Consumer id').fill('c-2');
    await page.getByLabel('Email').fill('c2@example.com');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await expect.poll(() => rowsWith('blocked'), { timeout: 20_000 }).toBe(1);
    const row = page.locator('tr[data-integration="my-billing"]');
    await expect.poll(() => row.textContent()).toContain('SECRET_UNRESOLVED');
    expect((await row.locator('td').allTextContents())[6]).toBe('1'); // the Blocked column
    const blocked = page.locator('tr[data-status="blocked"]');
    expect(await blocked.textContent()).toContain('environment variable SK is not set');
    await shot('blocked');
    expect(await axeProblems(page)).toEqual([]);

    // The details of the blocked job, opened from the keyboard: its one failed attempt.
    const id = await blocked.getAttribute('data-job');
    const details = page.getByRole('button', { name: `Details of job ${id}` });
    await details.focus();
    await page.keyboard.press('Enter');
    const attempts = page.getByRole('table', { name: `Attempts of job ${id}` });
    await expect.poll(() => attempts.textContent()).toContain('SECRET_UNRESOLVED');
    expect(await details.getAttribute('aria-expanded')).toBe('true');

    b.env.SK = sk; // the fault is fixed
    await page.getByRole('button', { name: `Retry job ${id}` }).click();
    await expect.poll(() => rowsWith('blocked'), { timeout: 20_000 }).toBe(0);
    // The live redraw kept the details the user opened.
    expect(await details.getAttribute('aria-expanded')).toBe('true');
    await attempts.waitFor();
    await expect.poll(() => consumer('c-2').textContent(), { timeout: 20_000 }).toContain('paid');
    await expect.poll(() => rowsWith('succeeded')).toBe(12);
    await expect.poll(() => row.textContent()).not.toContain('SECRET_UNRESOLVED');
    await shot('retried');
  });

  it('is usable narrow: no page-wide horizontal scroll, no serious axe violation', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('narrow');
    expect(await axeProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(pageErrors).toEqual([]);
  });
});
