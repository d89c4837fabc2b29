/**
 * The emulator, driven only through the official `stripe` SDK. Every 2xx JSON body is validated
 * against the catalog's response schema by test/emulator/support (independent of src/emulator).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../src/emulator/index.ts';
import { catalog, start, stats } from './support/harness.ts';
import { protocolSuite } from './suites/protocol.ts';
import { paymentsSuite } from './suites/payments.ts';
import { billingSuite } from './suites/billing.ts';
import { eventsSuite } from './suites/events.ts';
import { conditionsSuite } from './suites/conditions.ts';
import { smokeSuite } from './suites/smoke.ts';
import { fidelitySuite } from './suites/fidelity.ts';
import { moneyMovementSuite } from './suites/money_movement.ts';
import { hostileSuite } from './suites/hostile.ts';
import { triggersSuite } from './suites/triggers.ts';
import { accountsSuite } from './suites/accounts.ts';
import { testClocksSuite } from './suites/test_clocks.ts';

/** The catalog's operation count (API 2023-08-16): a change to the catalog shows here. */
const TOTAL_OPERATIONS = 468;
let ctx: { em: Emulator; stripe: Stripe };
const get = () => ctx;

beforeAll(async () => {
  ctx = await start({ webhookRetry: { attempts: 3, baseMs: 50 } });
});
afterEach(() => {
  const failures = stats.failures.splice(0);
  expect(failures).toEqual([]);
});
afterAll(async () => {
  await ctx.em.close();
  const total = Object.values(catalog.raw.resources).reduce((n, r) => n + r.operations.length, 0);
  // SMOKE_VERBOSE=1 names the operations no test answered with a validated 2xx.
  if (process.env.SMOKE_VERBOSE) {
    for (const [rid, r] of Object.entries(catalog.raw.resources))
      for (const op of r.operations)
        if (!stats.exercised.has(`${rid}:${op.name}`)) console.log(`MISSING ${rid}:${op.name}`);
  }
  console.log(
    `exercised ${stats.exercised.size} of ${total} operations, ${stats.validated} responses validated, ${stats.failures.length} schema failures`,
  );
});

describe('wire protocol', () => protocolSuite(get));
describe('hostile and malformed requests', () => hostileSuite(get));
describe('payments', () => paymentsSuite(get));
describe('billing', () => billingSuite(get));
describe('events and webhooks', () => eventsSuite(get));
describe('triggered events, Connect delivery, event paging', () => triggersSuite());
describe('API keys and their accounts', () => accountsSuite());
describe('test clocks bill subscriptions', () => testClocksSuite(get));
describe('conditions, persistence, seed, bulk load', () => conditionsSuite());
describe('fidelity to Stripe', () => fidelitySuite(get));
describe('disputes, Connect, sources, Treasury, reference data', () => moneyMovementSuite(get));
describe('every catalog operation', () => {
  smokeSuite(get);
  it('answered every catalog operation with a schema-validated 2xx somewhere in the suite', () => {
    const missing = Object.entries(catalog.raw.resources).flatMap(([rid, r]) =>
      r.operations.map((op) => `${rid}:${op.name}`).filter((k) => !stats.exercised.has(k)),
    );
    expect(missing).toEqual([]);
    expect(stats.exercised.size).toBe(TOTAL_OPERATIONS);
  });
});
