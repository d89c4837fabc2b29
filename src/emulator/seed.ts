/**
 * `--seed demo`: a small but realistic test-mode account, built through the API itself. Its
 * history is spread over the past six months (catalog first, then customers, payments, invoices,
 * quotes, and subscriptions within the last week so their periods are current), so `created`
 * filters have something to find.
 */
import type { Engine } from './engine.ts';
import type { Obj } from './objects.ts';

type Call = (method: string, path: string, params?: Record<string, unknown>) => Promise<Obj>;
interface Demo {
  call: Call;
  tryCall: Call;
  /** Moves the seed's clock to this many days (may be fractional) before the real now. */
  at: (daysAgo: number) => void;
}
interface DemoCustomer {
  customer: Obj;
  pm: string;
}

const DAY = 86400;

export async function seedDemo(engine: Engine): Promise<void> {
  const ns = { livemode: false };
  const call: Call = (method, path, params = {}) => engine.call(ns, method, path, params);
  const realClock = engine.clock;
  const now = realClock();
  const demo: Demo = {
    call,
    tryCall: (method, path, params = {}) =>
      call(method, path, params).catch(() => undefined as unknown as Obj),
    at: (daysAgo) => {
      const t = Math.floor(now - daysAgo * DAY);
      engine.clock = () => t;
    },
  };
  try {
    const { plans, onboarding } = await seedCatalog(demo);
    const customers = await seedCustomers(demo);
    await seedPayments(demo, customers);
    await seedInvoices(demo, customers, onboarding);
    await seedQuotes(demo, customers, onboarding);
    await seedSubscriptions(demo, customers, plans);
  } finally {
    engine.clock = realClock;
  }
}

/** Products with monthly prices, a one-off onboarding product and a coupon, 180 days ago. */
async function seedCatalog({ call, at }: Demo): Promise<{ plans: Obj[]; onboarding: Obj }> {
  at(180);
  const plans = [];
  for (const [name, amount] of [
    ['Starter plan', 900],
    ['Pro plan', 2900],
    ['Enterprise plan', 9900],
  ] as const) {
    const product = await call('POST', '/v1/products', { name, description: `${name} for the demo account` });
    const monthly = await call('POST', '/v1/prices', {
      product: product.id,
      currency: 'usd',
      unit_amount: amount,
      recurring: { interval: 'month' },
      nickname: `${name} monthly`,
    });
    await call('POST', `/v1/products/${product.id}`, { default_price: monthly.id });
    plans.push(monthly);
  }
  const onboarding = await call('POST', '/v1/products', {
    name: 'Onboarding',
    default_price_data: { currency: 'usd', unit_amount: 25000 },
  });
  await call('POST', '/v1/coupons', {
    id: 'WELCOME10',
    percent_off: 10,
    duration: 'once',
    name: 'Welcome 10%',
  });
  return { plans, onboarding };
}

const PEOPLE = [
  'Jane Doe',
  'John Smith',
  'Akira Tanaka',
  'Giulia Rossi',
  'Max Mustermann',
  'Ana Silva',
  'Li Wei',
  'Olivia Brown',
];

/** Eight customers with a default card, one every ~17 days from 170 to 50 days ago. */
async function seedCustomers({ call, tryCall, at }: Demo): Promise<DemoCustomer[]> {
  const customers = [];
  for (const [i, name] of PEOPLE.entries()) {
    at(170 - i * 17);
    const email = `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`;
    const customer = await call('POST', '/v1/customers', {
      name,
      email,
      description: `Demo customer ${i + 1}`,
      metadata: { plan: i % 2 ? 'pro' : 'starter', segment: i < 4 ? 'smb' : 'enterprise' },
      address: { line1: `${i + 1} Demo Street`, city: 'Springfield', country: 'US', postal_code: '12345' },
    });
    const pm = await tryCall('POST', '/v1/payment_methods/pm_card_visa/attach', { customer: customer.id });
    const visa = pm ?? (await call('GET', '/v1/payment_methods/pm_card_visa'));
    await tryCall('POST', `/v1/payment_methods/${visa.id}/attach`, { customer: customer.id });
    await call('POST', `/v1/customers/${customer.id}`, {
      invoice_settings: { default_payment_method: visa.id },
    });
    customers.push({ customer, pm: visa.id });
  }
  return customers;
}

/** Payment intents in every state, one every few days from 45 to 24 days ago. */
async function seedPayments({ call, tryCall, at }: Demo, customers: DemoCustomer[]): Promise<void> {
  const [a, b, c, d, e] = customers;
  at(45);
  await call('POST', '/v1/payment_intents', {
    amount: 2000,
    currency: 'usd',
    customer: a.customer.id,
    payment_method: a.pm,
    confirm: true,
    description: 'Succeeded payment',
  });
  at(42);
  await call('POST', '/v1/payment_intents', {
    amount: 1500,
    currency: 'usd',
    customer: b.customer.id,
    description: 'Awaiting a payment method',
  });
  at(39);
  await call('POST', '/v1/payment_intents', {
    amount: 4200,
    currency: 'usd',
    customer: c.customer.id,
    payment_method: c.pm,
    description: 'Awaiting confirmation',
  });
  at(36);
  await call('POST', '/v1/payment_intents', {
    amount: 5000,
    currency: 'usd',
    customer: d.customer.id,
    payment_method: d.pm,
    capture_method: 'manual',
    confirm: true,
    description: 'Authorized, awaiting capture',
  });
  at(33);
  const canceled = await call('POST', '/v1/payment_intents', {
    amount: 800,
    currency: 'usd',
    description: 'Canceled payment',
  });
  await call('POST', `/v1/payment_intents/${canceled.id}/cancel`, { cancellation_reason: 'abandoned' });
  at(30);
  await tryCall('POST', '/v1/payment_intents', {
    amount: 3100,
    currency: 'usd',
    payment_method: 'pm_card_chargeDeclined',
    confirm: true,
    description: 'Declined payment',
  });
  at(27);
  await call('POST', '/v1/payment_intents', {
    amount: 7000,
    currency: 'usd',
    payment_method: 'pm_card_authenticationRequired',
    confirm: true,
    return_url: 'https://example.com/return',
    description: 'Needs 3D Secure',
  });
  at(24);
  const refunded = await call('POST', '/v1/payment_intents', {
    amount: 6400,
    currency: 'usd',
    customer: e.customer.id,
    payment_method: e.pm,
    confirm: true,
    description: 'Partly refunded',
  });
  await call('POST', '/v1/refunds', {
    payment_intent: refunded.id,
    amount: 1400,
    reason: 'requested_by_customer',
  });
}

/** Invoices in every state, from 22 to 14 days ago. */
async function seedInvoices({ call, at }: Demo, customers: DemoCustomer[], onboarding: Obj): Promise<void> {
  const setup = onboarding;
  // Invoices in every state.
  const states = ['draft', 'open', 'paid', 'void', 'uncollectible'];
  for (const [i, state] of states.entries()) {
    at(22 - i * 2);
    const who = customers[i].customer.id;
    await call('POST', '/v1/invoiceitems', {
      customer: who,
      price: setup.default_price,
      description: 'Onboarding',
    });
    const inv = await call('POST', '/v1/invoices', {
      customer: who,
      pending_invoice_items_behavior: 'include',
      collection_method: 'send_invoice',
      days_until_due: 14,
    });
    if (state === 'draft') continue;
    await call('POST', `/v1/invoices/${inv.id}/finalize`);
    if (state === 'paid') await call('POST', `/v1/invoices/${inv.id}/pay`);
    if (state === 'void') await call('POST', `/v1/invoices/${inv.id}/void`);
    if (state === 'uncollectible') await call('POST', `/v1/invoices/${inv.id}/mark_uncollectible`);
  }
}

/** Quotes: draft, open, accepted, canceled, from 12 to 6 days ago. */
async function seedQuotes({ call, at }: Demo, customers: DemoCustomer[], onboarding: Obj): Promise<void> {
  const setup = onboarding;
  // Quotes: draft, open, accepted, canceled.
  for (const [i, state] of ['draft', 'open', 'accepted', 'canceled'].entries()) {
    at(12 - i * 2);
    const q = await call('POST', '/v1/quotes', {
      customer: customers[i + 2].customer.id,
      line_items: [{ price: setup.default_price, quantity: 1 }],
      description: `Demo quote (${state})`,
    });
    if (state === 'draft') continue;
    if (state === 'canceled') {
      await call('POST', `/v1/quotes/${q.id}/cancel`);
      continue;
    }
    await call('POST', `/v1/quotes/${q.id}/finalize`);
    if (state === 'accepted') await call('POST', `/v1/quotes/${q.id}/accept`);
  }
}

/** Subscriptions within the last week (their periods are current): active, trialing, canceled. */
async function seedSubscriptions({ call, at }: Demo, customers: DemoCustomer[], plans: Obj[]): Promise<void> {
  // Subscriptions: active, trialing, canceled.
  at(5);
  await call('POST', '/v1/subscriptions', {
    customer: customers[5].customer.id,
    items: [{ price: plans[1].id }],
  });
  at(4);
  await call('POST', '/v1/subscriptions', {
    customer: customers[6].customer.id,
    items: [{ price: plans[0].id }],
    trial_period_days: 14,
  });
  at(3);
  const ended = await call('POST', '/v1/subscriptions', {
    customer: customers[7].customer.id,
    items: [{ price: plans[2].id, quantity: 2 }],
  });
  at(1);
  await call('DELETE', `/v1/subscriptions/${ended.id}`);
}
