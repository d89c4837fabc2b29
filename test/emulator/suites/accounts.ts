/**
 * The key-to-account table (issue 15): distinct secret keys hold distinct accounts' data, unknown
 * keys the default account, publishable keys only where Stripe takes them, test and live apart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { startEmulator } from '../../../src/emulator/index.ts';
import { client, stripeError } from '../support/harness.ts';

const accountOf = async (s: Stripe) => ((await s.rawRequest('GET', '/v1/account', {})) as any).id;

export function accountsSuite() {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator({
      accounts: {
        sk_test_alpha: 'acct_1Alpha',
        pk_test_alpha: 'acct_1Alpha',
        sk_test_beta: 'acct_1Beta',
        sk_live_alpha: 'acct_1Alpha',
      },
    });
  });
  afterAll(() => em.close());

  it('gives each key its account: own data, own /v1/account; unknown keys the default account', async () => {
    const alpha = client(em, 'sk_test_alpha');
    const beta = client(em, 'sk_test_beta');
    const other = client(em, 'sk_test_unlisted');
    expect(await accountOf(alpha)).toBe('acct_1Alpha');
    expect(await accountOf(beta)).toBe('acct_1Beta');
    expect(await accountOf(other)).toBe('acct_emulator');
    const c = await alpha.customers.create({ name: 'Alpha customer' });
    expect((await alpha.customers.retrieve(c.id)).id).toBe(c.id);
    expect((await stripeError(beta.customers.retrieve(c.id))).statusCode).toBe(404);
    expect((await stripeError(other.customers.retrieve(c.id))).statusCode).toBe(404);
    expect((await beta.customers.list()).data).toHaveLength(0);
    // Live and test stay apart for the same account.
    const live = client(em, 'sk_live_alpha');
    expect(await accountOf(live)).toBe('acct_1Alpha');
    expect((await stripeError(live.customers.retrieve(c.id))).statusCode).toBe(404);
  });

  it('accepts a publishable key only where Stripe does', async () => {
    const pk = client(em, 'pk_test_alpha');
    const refused = await stripeError(pk.customers.list());
    expect([refused.statusCode, refused.raw.message]).toEqual([
      401,
      expect.stringMatching(/^This API call cannot be made with a publishable API key/),
    ]);
    expect((await stripeError(pk.customers.create({ name: 'x' }))).statusCode).toBe(401);
    const pm = await pk.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } } as any);
    expect(pm.id).toMatch(/^pm_/);
    // The payment method is the key's account's.
    expect((await client(em, 'sk_test_alpha').paymentMethods.retrieve(pm.id)).id).toBe(pm.id);
  });

  it('refuses a malformed table at start', async () => {
    await expect(startEmulator({ accounts: { nonsense: 'acct_1' } })).rejects.toThrow(/not an API key/);
    await expect(startEmulator({ accounts: { sk_test_x: 'alpha' } })).rejects.toThrow(
      /must be an account id/,
    );
  });
}
