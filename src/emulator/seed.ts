/** `--seed demo`: a small but realistic test-mode account, built through the API itself. */
import type { Engine } from './engine.ts';

export async function seedDemo(engine: Engine): Promise<void> {
  const ns = { livemode: false };
  const call = (method: string, path: string, params: Record<string, unknown> = {}) =>
    engine.call(ns, method, path, params);
  const tryCall = (method: string, path: string, params: Record<string, unknown> = {}) =>
    call(method, path, params).catch(() => undefined);

  const products = [];
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
    products.push({ product, monthly });
  }
  const setup = await call('POST', '/v1/products', {
    name: 'Onboarding',
    default_price_data: { currency: 'usd', unit_amount: 25000 },
  });
  await call('POST', '/v1/coupons', {
    id: 'WELCOME10',
    percent_off: 10,
    duration: 'once',
    name: 'Welcome 10%',
  });

  const people = [
    'Jane Doe',
    'John Smith',
    'Akira Tanaka',
    'Giulia Rossi',
    'Max Mustermann',
    'Ana Silva',
    'Li Wei',
    'Olivia Brown',
  ];
  const customers = [];
  for (const [i, name] of people.entries()) {
    const email = `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`;
    const customer = await call('POST', '/v1/customers', {
      name,
      email,
      description: `Demo customer ${i + 1}`,
      metadata: { plan: i % 2 ? 'pro' : 'starter', segment: i < 4 ? 'smb' : 'enterprise' },
      address: { line1: `${i + 1} Demo Street`, city: 'Springfield', country: 'US', postal_code: '12345' },
    });
    const pm = await call('POST', '/v1/payment_methods/pm_card_visa/attach', { customer: customer.id }).catch(
      () => undefined,
    );
    const visa = pm ?? (await call('GET', '/v1/payment_methods/pm_card_visa'));
    await tryCall('POST', `/v1/payment_methods/${visa.id}/attach`, { customer: customer.id });
    await call('POST', `/v1/customers/${customer.id}`, {
      invoice_settings: { default_payment_method: visa.id },
    });
    customers.push({ customer, pm: visa.id });
  }

  const [a, b, c, d, e] = customers;
  await call('POST', '/v1/payment_intents', {
    amount: 2000,
    currency: 'usd',
    customer: a.customer.id,
    payment_method: a.pm,
    confirm: true,
    description: 'Succeeded payment',
  });
  await call('POST', '/v1/payment_intents', {
    amount: 1500,
    currency: 'usd',
    customer: b.customer.id,
    description: 'Awaiting a payment method',
  });
  await call('POST', '/v1/payment_intents', {
    amount: 4200,
    currency: 'usd',
    customer: c.customer.id,
    payment_method: c.pm,
    description: 'Awaiting confirmation',
  });
  await call('POST', '/v1/payment_intents', {
    amount: 5000,
    currency: 'usd',
    customer: d.customer.id,
    payment_method: d.pm,
    capture_method: 'manual',
    confirm: true,
    description: 'Authorized, awaiting capture',
  });
  const canceled = await call('POST', '/v1/payment_intents', {
    amount: 800,
    currency: 'usd',
    description: 'Canceled payment',
  });
  await call('POST', `/v1/payment_intents/${canceled.id}/cancel`, { cancellation_reason: 'abandoned' });
  await tryCall('POST', '/v1/payment_intents', {
    amount: 3100,
    currency: 'usd',
    payment_method: 'pm_card_chargeDeclined',
    confirm: true,
    description: 'Declined payment',
  });
  await call('POST', '/v1/payment_intents', {
    amount: 7000,
    currency: 'usd',
    payment_method: 'pm_card_authenticationRequired',
    confirm: true,
    return_url: 'https://example.com/return',
    description: 'Needs 3D Secure',
  });
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

  // Invoices in every state.
  const states = ['draft', 'open', 'paid', 'void', 'uncollectible'];
  for (const [i, state] of states.entries()) {
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

  // Quotes: draft, open, accepted, canceled.
  for (const [i, state] of ['draft', 'open', 'accepted', 'canceled'].entries()) {
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

  // Subscriptions: active, trialing, canceled.
  await call('POST', '/v1/subscriptions', {
    customer: customers[5].customer.id,
    items: [{ price: products[1].monthly.id }],
  });
  await call('POST', '/v1/subscriptions', {
    customer: customers[6].customer.id,
    items: [{ price: products[0].monthly.id }],
    trial_period_days: 14,
  });
  const ended = await call('POST', '/v1/subscriptions', {
    customer: customers[7].customer.id,
    items: [{ price: products[2].monthly.id, quantity: 2 }],
  });
  await call('DELETE', `/v1/subscriptions/${ended.id}`);
}
