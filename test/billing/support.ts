/** A billing test bench: an emulator with two accounts, a fresh SQLite store, a BillingService. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { BillingService, type BillingServiceOptions } from '../../src/billing/index.ts';

export const KEYS = {
  sk: 'sk_test_billingmain',
  pk: 'pk_test_billingmain',
  otherSk: 'sk_test_billingother',
  otherPk: 'pk_test_billingother',
  liveSk: 'sk_live_billingmain',
  livePk: 'pk_live_billingmain',
};

export interface Bench {
  em: Emulator;
  store: Store;
  env: Record<string, string>;
  dir: string;
  service(opts?: Partial<BillingServiceOptions>): BillingService;
  /** The SDK on the main account, for looking at what Stripe has. */
  stripe: Stripe;
  close(): Promise<void>;
}

export async function bench(): Promise<Bench> {
  const em = await startEmulator({
    port: 0,
    accounts: {
      [KEYS.sk]: 'acct_main',
      [KEYS.pk]: 'acct_main',
      [KEYS.liveSk]: 'acct_main',
      [KEYS.livePk]: 'acct_main',
      [KEYS.otherSk]: 'acct_other',
      [KEYS.otherPk]: 'acct_other',
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'billing-'));
  const store = await openStore({ url: `sqlite:${join(dir, 'store.db')}` });
  const env: Record<string, string> = { ...KEYS, SK: KEYS.sk, PK: KEYS.pk, STRIPE_API_BASE: em.url };
  const services: BillingService[] = [];
  const base = new URL(em.url);
  const stripe = new Stripe(KEYS.sk, {
    host: base.hostname,
    port: Number(base.port),
    protocol: 'http',
    telemetry: false,
  });
  return {
    em,
    store,
    env,
    dir,
    stripe,
    service(opts = {}) {
      const s = new BillingService({
        store,
        env,
        retry: { maxAttempts: 3, backoffMs: 20, backoffMaxMs: 40 },
        leaseMs: 2000,
        idleMs: 20,
        gateway: { backoff: { baseMs: 5, maxMs: 10 } },
        ...opts,
      });
      services.push(s);
      return s;
    },
    async close() {
      for (const s of services) await s.close();
      await store.close();
      await em.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const ref = (name: string) => `env:${name}`;

/** A bench with `my-billing` (test keys of acct_main) attached to the sandbox catalog. */
export async function benchWithIntegration(): Promise<{ b: Bench; billing: BillingService }> {
  const b = await bench();
  const billing = b.service();
  await billing.addIntegration({ title: 'My Billing', publishableKey: ref('PK'), secretKey: ref('SK') });
  await billing.addCatalog('sandbox', 'sandbox');
  await billing.attach('sandbox', 'my-billing');
  return { b, billing };
}
