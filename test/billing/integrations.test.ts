/** Integrations and catalogs against the emulator: account and mode learned, swaps and placements refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.ts';
import { slugify, type BillingService } from '../../src/billing/index.ts';
import { bench, ref, type Bench } from './support.ts';

let b: Bench;
let billing: BillingService;
beforeAll(async () => {
  b = await bench();
  billing = b.service();
});
afterAll(() => b?.close());

const refused = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (error) => error,
  );
  expect(e).toBeInstanceOf(ConnectorError);
  return e as ConnectorError;
};

describe('billing integrations', () => {
  it('derives a slug name from the title', () => {
    expect(slugify('My Billing')).toBe('my-billing');
    expect(slugify('  Crème Brûlée & Co. 2 ')).toBe('creme-brulee-co-2');
    expect(() => slugify('2024 !')).toThrow(/at least one letter/);
  });

  it('learns the account and mode from Stripe and records both; keys stay references', async () => {
    const view = await billing.addIntegration({
      title: 'My Billing',
      publishableKey: ref('PK'),
      secretKey: ref('SK'),
    });
    expect(view).toMatchObject({
      name: 'my-billing',
      title: 'My Billing',
      account: 'acct_main',
      mode: 'test',
      publishableKey: 'env:PK',
      secretKey: 'env:SK',
    });
    expect(JSON.stringify(await billing.integrations())).not.toContain(b.env.SK);
    const again = await refused(
      billing.addIntegration({ title: 'My Billing', publishableKey: ref('PK'), secretKey: ref('SK') }),
    );
    expect([again.code, again.details.hint]).toEqual([
      'INVALID_VALUE',
      'choose another name: --name my-billing-2',
    ]);
  });

  it('refuses literal keys, keys of two modes, and a publishable key of another account', async () => {
    const literal = await refused(
      billing.addIntegration({ title: 'L', publishableKey: ref('PK'), secretKey: b.env.SK }),
    );
    expect(literal.message).toMatch(/^secretKey: write a secret reference/);
    expect(literal.message).not.toContain(b.env.SK);
    const modes = await refused(
      billing.addIntegration({ title: 'M', publishableKey: ref('livePk'), secretKey: ref('SK') }),
    );
    expect([modes.code, modes.message]).toEqual([
      'BILLING_REFUSED',
      expect.stringMatching(/different modes: publishableKey is a live-mode key, secretKey a test-mode key/),
    ]);
    const accounts = await refused(
      billing.addIntegration({ title: 'A', publishableKey: ref('otherPk'), secretKey: ref('SK') }),
    );
    expect([accounts.code, accounts.message]).toEqual([
      'BILLING_REFUSED',
      expect.stringMatching(/different accounts: the publishable key is not of account acct_main/),
    ]);
    const notPk = await refused(
      billing.addIntegration({ title: 'P', publishableKey: ref('SK'), secretKey: ref('SK') }),
    );
    expect(notPk.message).toMatch(/publishableKey \(env:SK\): not a publishable key/);
    expect((await billing.integrations()).map((i) => i.name)).toEqual(['my-billing']);
  });

  it('refuses key changes to another account or to live mode, saying why; same-account keys are taken', async () => {
    const other = await refused(
      billing.updateKeys('my-billing', { publishableKey: ref('otherPk'), secretKey: ref('otherSk') }),
    );
    expect(other.code).toBe('BILLING_REFUSED');
    expect(other.message).toBe(
      'refused: the new keys belong to account acct_other, integration my-billing to account acct_main; the products, prices, customers and subscriptions made with the old keys could no longer be found',
    );
    const live = await refused(
      billing.updateKeys('my-billing', { publishableKey: ref('livePk'), secretKey: ref('liveSk') }),
    );
    expect(live.message).toMatch(
      /is test-mode and the new keys are live-mode keys; test and live are separate namespaces, so the products, prices/,
    );
    b.env.SK2 = b.env.SK;
    const moved = await billing.updateKeys('my-billing', { secretKey: ref('SK2') });
    expect(moved).toMatchObject({ secretKey: 'env:SK2', account: 'acct_main', mode: 'test' });
  });

  it('places test integrations only in sandbox catalogs and live ones only in production catalogs', async () => {
    await billing.addIntegration({
      title: 'Live Shop',
      publishableKey: ref('livePk'),
      secretKey: ref('liveSk'),
    });
    await billing.addCatalog('sandbox', 'sandbox');
    await billing.addCatalog('prod', 'production');
    const bad = await refused(billing.attach('prod', 'my-billing'));
    expect([bad.code, bad.message]).toEqual([
      'BILLING_REFUSED',
      'refused: integration my-billing has test-mode keys and catalog prod is a production catalog; test keys go only to sandbox catalogs, live keys only to production catalogs',
    ]);
    const bad2 = await refused(billing.attach('sandbox', 'live-shop'));
    expect(bad2.message).toMatch(/live-shop has live-mode keys and catalog sandbox is a sandbox catalog/);
    expect((await billing.attach('sandbox', 'my-billing')).integrations).toEqual(['my-billing']);
    expect((await billing.attach('prod', 'live-shop')).integrations).toEqual(['live-shop']);
    expect((await refused(billing.addCatalog('x', 'staging'))).message).toMatch(/sandbox or production/);
    expect((await billing.integration('my-billing')).catalogs).toEqual(['sandbox']);
    expect((await refused(billing.attach('nope', 'my-billing'))).code).toBe('NOT_FOUND');
  });
});
