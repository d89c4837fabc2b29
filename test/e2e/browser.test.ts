/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against a real server
 * with the emulator: sign in, add a connection, list customers with a filter (and see a filter
 * error pointed at), open a record, run ConfirmPaymentIntent from its form, the triggers page's
 * state; then, on a server that runs triggers (startService on a store), add a trigger and watch
 * a delivery of a customer created in the emulator arrive by server-sent events, redeliver a dead
 * letter, replay, remove. Every page is screenshot into .tmp/console-*.png and checked with axe-core.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  axeProblems,
  chromiumAvailable,
  consolePage,
  launchChromium,
  screenshot,
} from '../support/browser.ts';
import { consolePlugin } from '../../src/console/index.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { issueToken, startServer, type RunningServer } from '../../src/server/index.ts';
import { startService, type StartedService } from '../../src/server/service.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { storePorts } from '../../src/triggers/store/ports.ts';
import { readLines, until } from '../triggers/support/processes.ts';

const hasChromium = chromiumAvailable('browser journey');

let emulator: Emulator;
let server: RunningServer;
let browser: Browser;
let page: Page;
let token: string;
const pageErrors: string[] = [];

const shot = (name: string) => screenshot(page, `console-${name}`);

describe.skipIf(!hasChromium)('the console in Chromium', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, randomSeed: 5 });
    emulator.load('customer', [
      { email: 'jenny@example.com', name: 'Jenny Rosen', metadata: { tier: 'gold' } },
      { email: 'bob@example.com', name: 'Bob Tables' },
      { email: 'ana@example.com', name: 'Ana Lima' },
    ]);
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      plugins: [consolePlugin()],
      config: {
        connections: [{ name: 'demo', apiKey: 'env:CONSOLE_KEY', baseUrl: emulator.url }],
        // What the console's user may name: the second key's variable and the emulator.
        api: { secrets: { env: ['SECOND_'] }, baseUrls: [emulator.url] },
      },
      env: { CONSOLE_KEY: 'sk_test_console123', SECOND_KEY: 'sk_test_second456' },
      log: { level: 'silent' },
    });
    token = (await issueToken(server.ports.tokens, { scopes: ['admin'], label: 'console' })).token;
    browser = await launchChromium();
    page = await consolePage(browser, pageErrors);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await emulator?.close();
  });

  it('signs in with a token kept in the session, never in the URL', async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(server.url);
    await shot('sign-in');
    expect(await axeProblems(page)).toEqual([]);
    await page.getByLabel('API token').fill('sct_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('UNAUTHENTICATED');
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Customer', exact: true }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('stripe-connector.token'))).toBe(token);
    expect(requests.some((u) => u.includes(token))).toBe(false);
    expect(page.url()).not.toContain(token);
  });

  it('adds a connection (a reference, never the key) and tests it', async () => {
    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('second');
    await page.getByLabel('API key reference').fill('sk_test_literal');
    await page.getByLabel('Base URL (optional)').fill(emulator.url);
    await page.getByRole('button', { name: 'Add connection' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('SECRET_NOT_REFERENCE');
    await page.getByLabel('API key reference').fill('env:SECOND_KEY');
    await page.getByRole('button', { name: 'Add connection' }).click();
    const row = page.getByRole('row', { name: /second/ });
    await expect.poll(() => row.textContent()).toContain('acct_emulator');
    expect(await row.textContent()).toContain('test');
    expect(await page.content()).not.toContain('sk_test_second456');
    expect(
      (
        await server.app.inject({
          url: '/api/connections/second',
          headers: { authorization: `Bearer ${token}` },
        })
      ).json().definition.apiKey,
    ).toBe('env:SECOND_KEY');
    await page.getByRole('button', { name: 'Test second' }).click();
    await expect.poll(() => row.textContent()).toContain('acct_emulator');
    await shot('connections');
    expect(await axeProblems(page)).toEqual([]);
  });

  it('lists customers with a filter, points at a filter error, and shows the plan', async () => {
    await page.getByLabel('Connection', { exact: true }).selectOption('demo');
    await page.getByRole('link', { name: 'Entities', exact: true }).click();
    await page.getByLabel('Search entities').fill('custom');
    await page.getByRole('link', { name: 'Customer', exact: true }).click();
    const filter = page.getByLabel('Filter (SQL WHERE condition)');
    await filter.fill("email = 'jenny@example.com' AND nmae = 'x'");
    const caret = page.locator('pre.caret');
    await caret.waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('UNKNOWN_FIELD');
    // The caret sits under the unknown column: the position the server gave.
    const position = Number(await caret.getAttribute('data-position'));
    expect("email = 'jenny@example.com' AND nmae = 'x'".slice(position)).toMatch(/^nmae/);
    expect((await caret.textContent())!.split('\n')[1]).toBe(' '.repeat(position) + '^');
    expect(await filter.getAttribute('aria-invalid')).toBe('true');
    await shot('filter-error');
    await filter.fill("email = 'jenny@example.com'");
    await page.getByText('Valid filter.').waitFor();
    expect(await page.locator('aside.plan').textContent()).toContain('GET /v1/customers');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.locator('table.results caption').textContent()).toContain('1 rows');
    expect(await page.locator('table.results tbody').textContent()).toContain('jenny@example.com');
    // The flattened view has the dotted column; the column picker adds it.
    await page.locator('details.columns summary').click();
    await page.getByRole('checkbox', { name: 'metadata.tier' }).check();
    expect(await page.locator('table.results tbody').textContent()).toContain('gold');
    await shot('entities');
    expect(await axeProblems(page)).toEqual([]);
  });

  it('exports the filtered list as CSV and NDJSON, streamed with progress', async () => {
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const status = page.locator('section[aria-labelledby="export-title"] p[aria-live]');
    await expect.poll(() => status.textContent()).toMatch(/^1 rows, \d+ bytes\.$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download Customer.csv' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('email');
    expect(csv).toContain('jenny@example.com');
    expect(csv).not.toContain('bob@example.com');
    await page.getByLabel('Format', { exact: true }).selectOption('ndjson');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('link', { name: 'Download Customer.ndjson' }).waitFor();
    expect(await status.textContent()).toMatch(/^1 rows/);
  });

  it('opens a record: JSON and dotted columns', async () => {
    await page.locator('table.results tbody a').first().click();
    await page.getByRole('heading', { name: /^Customer cus_/ }).waitFor();
    expect(await page.getByLabel('Record JSON').textContent()).toContain('"email": "jenny@example.com"');
    expect(await page.getByRole('row', { name: /metadata\.tier/ }).textContent()).toContain('gold');
    await shot('record');
    expect(await axeProblems(page)).toEqual([]);
    // The update form comes from the update operation's parameters, filled with the record's values.
    const name = page.getByLabel('name', { exact: true });
    expect(await name.inputValue()).toBe('Jenny Rosen');
    await name.fill('Jenny R. Rosen');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.getByLabel('Record JSON').textContent())
      .toContain('"name": "Jenny R. Rosen"');
  });

  it('creates from the generated form and deletes', async () => {
    await page.getByRole('link', { name: /Customer list/ }).click();
    await page.getByRole('link', { name: 'New Customer' }).click();
    await page.getByRole('heading', { name: 'New Customer' }).waitFor();
    await page.getByText(/^Optional fields/).click();
    await page.getByLabel('email', { exact: true }).fill('new@example.com');
    await page.getByLabel('tax_exempt', { exact: true }).selectOption('none');
    await page.getByLabel('balance', { exact: true }).fill('12');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const json = page.getByLabel('Record JSON');
    await expect.poll(() => json.textContent()).toContain('"email": "new@example.com"');
    expect(await json.textContent()).toContain('"balance": 12');
    const id = JSON.parse((await json.textContent())!).id;
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: `Delete ${id}` }).click();
    await page.getByRole('heading', { name: 'Customer', exact: true }).waitFor();
    const gone = await server.app.inject({
      url: `/api/connections/demo/entities/Customer/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gone.statusCode === 404 || gone.json().deleted === true).toBe(true);
  });

  it('runs ConfirmPaymentIntent from its form; a missing input names the field', async () => {
    const intent = (
      await server.app.inject({
        method: 'POST',
        url: '/api/connections/demo/entities/PaymentIntent',
        headers: { authorization: `Bearer ${token}` },
        payload: { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa' },
      })
    ).json();
    await page.getByRole('link', { name: 'Actions', exact: true }).click();
    await page.getByLabel('Action', { exact: true }).selectOption('ConfirmPaymentIntent');
    const run = page.getByRole('button', { name: 'Run ConfirmPaymentIntent' });
    await run.waitFor();
    // A required input left empty: the browser's own check stops the form; remove it to see the server's.
    await page.getByLabel('PaymentIntentId *').evaluate((el) => el.removeAttribute('required'));
    await run.click();
    await expect.poll(() => page.locator('.result').textContent()).toContain('MISSING_FIELD');
    expect(await page.getByLabel('PaymentIntentId *').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('PaymentIntentId *').fill(intent.id);
    await page.getByLabel('Result shape').selectOption('seed');
    await run.click();
    await expect.poll(() => page.getByLabel('Action result').textContent()).toContain(intent.id);
    expect(await page.getByLabel('Action result').textContent()).toMatch(
      /"Status": "succeeded"|"status": "succeeded"/i,
    );
    await shot('actions');
    expect(await axeProblems(page)).toEqual([]);
  });

  it('says when the server runs without triggers', async () => {
    await page.getByRole('link', { name: 'Triggers', exact: true }).click();
    await page.getByRole('heading', { name: 'Triggers are not enabled on this server' }).waitFor();
    await shot('triggers-off');
    expect(await axeProblems(page)).toEqual([]);
  });

  it('is usable in a narrow window', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await page.getByRole('link', { name: 'Entities', exact: true }).click();
    await page.getByRole('heading', { name: 'Customer', exact: true }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(420);
    await shot('narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps the keyboard focus visible', async () => {
    await page.goto(`${server.url}/#/connections`);
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
  });

  it('ran without a script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  describe('the triggers page on a server that runs triggers', () => {
    let service: StartedService;
    const dir = mkdtempSync(join(tmpdir(), 'console-triggers-'));
    const out = join(dir, 'out.ndjson');
    const deliveries = async (name: string) => new TriggerService(service.store).deliveries(name);
    beforeAll(async () => {
      service = await startService({
        host: '127.0.0.1',
        port: 0,
        dataDir: join(dir, 'store'),
        connections: [{ name: 'demo', apiKey: 'env:K', baseUrl: emulator.url }],
        env: { K: 'sk_test_console123' },
        // The operator's destinations (the console's user picks one by name) and 1 s polls.
        config: {
          destinations: { out: { sink: `file:${out}` } },
          api: { triggers: { minInterval: '1s' } },
        },
        log: { level: 'silent' },
        // The page holds the event stream open; the close need not wait for it.
        shutdownGraceMs: 200,
        triggerWatchMs: 200,
      });
      // A new origin (another port): its sessionStorage starts empty, so the page asks to sign in.
      await page.goto(`${service.server.url}/#/triggers`);
      await page.getByLabel('API token').fill(service.token!);
      await page.getByRole('button', { name: 'Sign in' }).click();
    });
    afterAll(async () => {
      await service?.server.close();
    });

    it('adds a trigger, watches a delivery arrive live, redelivers a dead letter, replays, removes', async () => {
      await page.getByRole('heading', { name: 'Triggers', exact: true }).waitFor();
      await expect.poll(() => page.locator('#live-state').textContent()).toMatch(/Live|Connecting/);
      const form = page.locator('form[aria-labelledby="add-trigger"]');
      await form.getByLabel('Name', { exact: true }).fill('new-customers');
      await form.getByLabel('Connection', { exact: true }).fill('demo');
      await form.getByLabel('Event types, preset or entity').fill('customer.created');
      await form.getByLabel('Sink', { exact: true }).fill('destination:out');
      await form.getByLabel('More settings (JSON, optional)').fill('{"interval": "1s"}');
      await form.getByRole('button', { name: 'Add trigger' }).click();
      const row = page.locator('tr[data-trigger="new-customers"]');
      await row.waitFor();
      await page.getByRole('button', { name: 'new-customers' }).click();
      await page.getByRole('heading', { name: 'new-customers' }).waitFor();
      // The server runs it: once its first poll set the checkpoint, a new customer is delivered.
      await until(async () =>
        Boolean((await service.store.checkpoints.get('new-customers', 'poll')) !== undefined),
      );
      const customer = await fetch(`${emulator.url}/v1/customers`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_console123',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'email=live%40example.com',
      }).then((r) => r.json() as Promise<{ id: string }>);
      await until(() => readLines(out).some((l) => l.data?.id === customer.id));
      const [delivered] = await deliveries('new-customers');
      // The page learns it by the event stream only: the row's counts and the detail's list.
      await expect.poll(() => row.locator('td').nth(5).textContent()).toBe('1');
      await expect
        .poll(() => page.locator('section[aria-labelledby="trigger-detail"]').textContent())
        .toContain(delivered.eventId);
      await shot('triggers');
      expect(await axeProblems(page)).toEqual([]);

      // Replay from before the event: delivered again, under the same delivery id.
      await page.getByLabel('Replay from').fill('2000-01-01T00:00');
      await page.getByRole('button', { name: 'Replay', exact: true }).click();
      await until(() => readLines(out).filter((l) => l.data?.id === customer.id).length === 2);
      expect(new Set(readLines(out).map((l) => l.id)).size).toBe(1);

      // A trigger whose sink always fails dead-letters after one attempt; redeliver sends it again.
      await new TriggerService(service.store).add({
        name: 'failing',
        preset: 'customer-added',
        connection: 'demo',
        interval: '1s',
        sink: 'exec:exit 3',
        retry: { maxAttempts: 1 },
      });
      await until(async () => (await service.store.checkpoints.get('failing', 'poll')) !== undefined);
      await fetch(`${emulator.url}/v1/customers`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_console123',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'email=dead%40example.com',
      });
      await until(async () => (await deliveries('failing'))[0]?.status === 'dead');
      await page.locator('tr[data-trigger="failing"]').waitFor();
      await page.getByRole('button', { name: 'failing', exact: true }).click();
      await page.getByRole('heading', { name: 'failing' }).waitFor();
      const dead = (await deliveries('failing'))[0];
      await page.getByRole('button', { name: `Redeliver ${dead.id}` }).click();
      // Sent again (the same delivery id): a second attempt is recorded, and it is dead again.
      await until(async () => (await service.store.deliveries.attempts(dead.seq)).length === 2);
      await page.getByRole('button', { name: 'Remove failing' }).click();
      await page.locator('tr[data-trigger="failing"]').waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'new-customers' }).click();
      await page.getByRole('button', { name: 'Remove new-customers' }).click();
      await page.getByText('No trigger yet.').waitFor();
      await until(() => !service.triggers?.running().length);
      expect(pageErrors).toEqual([]);
    });

    it('shows the newest deliveries first past 100, older ones a page at a time', async () => {
      // 130 deliveries already done (a webhook trigger that polls hourly: the page only reads them).
      await new TriggerService(service.store).add({
        name: 'busy',
        source: 'webhook',
        events: ['customer.created'],
        connection: 'demo',
        interval: '1h',
        sink: `file:${join(dir, 'busy.ndjson')}`,
      });
      const ports = storePorts({ store: service.store, worker: 'test' });
      await ports.inbox.put(
        'busy',
        Array.from({ length: 130 }, (_, i) => ({
          id: `evt_busy_${i}`,
          type: 'customer.created',
          created: 1_700_000_000 + i,
          data: { object: { id: `cus_busy_${i}` } },
          source: 'webhook' as const,
        })),
      );
      await ports.close();
      await until(async () => (await service.store.deliveries.counts('busy')).succeeded === 130);
      await page.getByRole('button', { name: 'busy', exact: true }).click();
      const detail = page.locator('section[aria-labelledby="trigger-detail"]');
      const table = detail.getByRole('table', { name: 'Deliveries, newest first' });
      const firstEvent = () => table.locator('tbody tr').first().locator('td').nth(2).textContent();
      await expect.poll(firstEvent).toBe('evt_busy_129');
      await detail.getByRole('button', { name: 'Older deliveries' }).click();
      await expect.poll(firstEvent).toBe('evt_busy_109');
      await detail.getByRole('button', { name: 'Newest deliveries' }).click();
      await expect.poll(firstEvent).toBe('evt_busy_129');
      expect(await axeProblems(page)).toEqual([]);
      await page.getByRole('button', { name: 'Remove busy' }).click();
      await page.getByText('No trigger yet.').waitFor();
      expect(pageErrors).toEqual([]);
    });
  });
});
