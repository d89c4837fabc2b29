/** Disputes and fraud warnings from test cards, Connect fees and capabilities, sources, Treasury, reference data. */
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { stripeError } from '../support/harness.ts';

export function moneyMovementSuite(get: () => { em: Emulator; stripe: Stripe }) {
  const pay = (stripe: Stripe, pm: string, acct: Stripe.RequestOptions = {}, extra = {}) =>
    stripe.paymentIntents.create(
      { amount: 5000, currency: 'usd', payment_method: pm, confirm: true, ...extra },
      acct,
    );

  it('disputes charges made with the dispute test cards; evidence, submission and close', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_disputes' };
    const pi = await pay(stripe, 'pm_card_createDispute', acct);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, {}, acct);
    expect(charge.disputed).toBe(true);
    const dispute = await stripe.disputes.retrieve(
      (await stripe.disputes.list({}, acct)).data[0].id,
      { expand: ['balance_transactions'] },
      acct,
    );
    expect(dispute).toMatchObject({
      charge: charge.id,
      amount: 5000,
      reason: 'fraudulent',
      status: 'needs_response',
    });
    expect(dispute.balance_transactions[0]).toMatchObject({ amount: -5000, fee: 1500, net: -6500 });
    const byCharge: any = await stripe.rawRequest('GET', `/v1/charges/${charge.id}/dispute`, {}, acct);
    expect(byCharge.id).toBe(dispute.id);
    const staged = await stripe.disputes.update(
      dispute.id,
      { evidence: { customer_name: 'Jenny' }, submit: false },
      acct,
    );
    expect([staged.status, staged.evidence.customer_name, staged.evidence_details.submission_count]).toEqual([
      'needs_response',
      'Jenny',
      0,
    ]);
    const submitted = await stripe.disputes.update(
      dispute.id,
      { evidence: { product_description: 'A' } },
      acct,
    );
    expect([submitted.status, submitted.evidence_details.submission_count]).toEqual(['under_review', 1]);
    expect((await stripeError(stripe.disputes.close(dispute.id, {}, acct))).statusCode).toBe(400);

    const inquiry = await pay(stripe, 'pm_card_createDisputeInquiry', acct);
    const closed: any = await stripe.rawRequest(
      'POST',
      `/v1/charges/${inquiry.latest_charge}/dispute/close`,
      {},
      acct,
    );
    expect(closed.status).toBe('warning_closed');
    const plain = await pay(stripe, 'pm_card_visa', acct);
    const none = await stripeError(
      stripe.rawRequest('GET', `/v1/charges/${plain.latest_charge}/dispute`, {}, acct),
    );
    expect(none.statusCode).toBe(404);

    const warned = await pay(stripe, 'pm_card_createIssuerFraudRecord', acct);
    const efws = await stripe.radar.earlyFraudWarnings.list({ charge: warned.latest_charge as string }, acct);
    expect(efws.data.map((w) => [w.actionable, w.payment_intent])).toEqual([[true, warned.id]]);
    const types = (await stripe.events.list({ limit: 100 }, acct)).data.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'charge.dispute.created',
        'charge.dispute.closed',
        'radar.early_fraud_warning.created',
      ]),
    );
  });

  it('collects application fees on direct charges for the platform; refunds them', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_fees' };
    const pi = await pay(stripe, 'pm_card_visa', acct, { application_fee_amount: 300 });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, {}, acct);
    const feeId = charge.application_fee as string;
    expect(charge.application_fee_amount).toBe(300);
    // The fee is the platform's, not the connected account's.
    expect((await stripeError(stripe.applicationFees.retrieve(feeId, {}, acct))).statusCode).toBe(404);
    const fee = await stripe.applicationFees.retrieve(feeId);
    expect(fee).toMatchObject({ account: 'acct_fees', amount: 300, charge: charge.id, refunded: false });
    const r1 = await stripe.applicationFees.createRefund(feeId, { amount: 100 });
    expect(r1).toMatchObject({ amount: 100, fee: feeId });
    const tooBig = await stripeError(stripe.applicationFees.createRefund(feeId, { amount: 500 }));
    expect(tooBig.code).toBe('amount_too_large');
    const after: any = await stripe.rawRequest('POST', `/v1/application_fees/${feeId}/refund`, {});
    expect([after.amount_refunded, after.refunded, after.refunds.total_count]).toEqual([300, true, 2]);
    expect((await stripe.applicationFees.listRefunds(feeId)).data).toHaveLength(2);
  });

  it('requests capabilities on accounts and updates them one by one', async () => {
    const { stripe } = get();
    const account = await stripe.accounts.create({
      type: 'custom',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    });
    expect(account.capabilities).toEqual({ card_payments: 'inactive', transfers: 'inactive' });
    const caps = await stripe.accounts.listCapabilities(account.id);
    expect(caps.data.map((c) => [c.id, c.requested, c.account])).toEqual([
      ['card_payments', true, account.id],
      ['transfers', true, account.id],
    ]);
    const off = await stripe.accounts.updateCapability(account.id, 'transfers', { requested: false });
    expect([off.status, off.requested, off.requested_at]).toEqual(['unrequested', false, null]);
    expect((await stripe.accounts.retrieve(account.id)).capabilities).toEqual({ card_payments: 'inactive' });
    const unknown = await stripeError(
      stripe.accounts.retrieveCapability(account.id, 'us_bank_account_ach_payments'),
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('adds cards and bank accounts to customers from tokens; verifies with 32 and 45', async () => {
    const { stripe } = get();
    const c = await stripe.customers.create({ name: 'Sources' });
    const card: any = await stripe.customers.createSource(c.id, { source: 'tok_amex' });
    expect([card.object, card.brand, card.last4, card.customer]).toEqual([
      'card',
      'American Express',
      '8431',
      c.id,
    ]);
    expect((await stripe.customers.retrieve(c.id)) as any).toMatchObject({ default_source: card.id });
    const token = await stripe.tokens.create({
      bank_account: {
        country: 'US',
        currency: 'usd',
        account_holder_name: 'Jenny',
        account_holder_type: 'individual',
        routing_number: '110000000',
        account_number: '000123456789',
      },
    });
    expect([token.id.startsWith('btok_'), token.type, token.bank_account?.last4]).toEqual([
      true,
      'bank_account',
      '6789',
    ]);
    const ba: any = await stripe.customers.createSource(c.id, { source: token.id });
    expect([ba.object, ba.status, ba.last4]).toEqual(['bank_account', 'new', '6789']);
    const reused = await stripeError(stripe.customers.createSource(c.id, { source: token.id }));
    expect(reused.code).toBe('token_already_used');
    const wrong = await stripeError(stripe.customers.verifySource(c.id, ba.id, { amounts: [1, 2] }));
    expect(wrong.code).toBe('bank_account_verification_failed');
    expect((await stripe.customers.verifySource(c.id, ba.id, { amounts: [32, 45] })).status).toBe('verified');
    const gone: any = await stripe.customers.deleteSource(c.id, ba.id);
    expect([gone.object, gone.deleted]).toEqual(['bank_account', true]);
  });

  it('posts Treasury received credits as transactions with entries', async () => {
    const { stripe } = get();
    const fa = await stripe.treasury.financialAccounts.create({ supported_currencies: ['usd'] });
    const rc: any = await stripe.rawRequest('POST', '/v1/test_helpers/treasury/received_credits', {
      amount: 2500,
      currency: 'usd',
      financial_account: fa.id,
      network: 'ach',
    });
    expect(rc.status).toBe('succeeded');
    const txn = await stripe.treasury.transactions.retrieve(rc.transaction);
    expect(txn).toMatchObject({ amount: 2500, flow: rc.id, flow_type: 'received_credit', status: 'posted' });
    expect(txn.balance_impact.cash).toBe(2500);
    const entries = await stripe.treasury.transactionEntries.list({ financial_account: fa.id });
    expect(entries.data.map((e) => [e.transaction, e.type])).toEqual([[txn.id, 'received_credit']]);
  });

  it('answers reference data: country specs, exchange rates, tax codes, report types', async () => {
    const { stripe } = get();
    expect((await stripe.countrySpecs.retrieve('US')).default_currency).toBe('usd');
    expect((await stripe.countrySpecs.list({ limit: 100 })).data.length).toBeGreaterThan(1);
    expect((await stripeError(stripe.countrySpecs.retrieve('ZZ'))).statusCode).toBe(404);
    const usd = await stripe.exchangeRates.retrieve('usd');
    expect(usd.rates.usd).toBeUndefined();
    expect(usd.rates.eur).toBeGreaterThan(0);
    expect((await stripe.taxCodes.retrieve('txcd_99999999')).name).toBe('General - Tangible Goods');
    expect((await stripe.reporting.reportTypes.retrieve('balance.summary.1')).version).toBe(1);
  });

  it('approves reviews and refreshes Financial Connections accounts, both bulk-loaded', async () => {
    const { em, stripe } = get();
    const review: Record<string, unknown> = { open: true, opened_reason: 'rule', reason: 'rule' };
    const account: Record<string, unknown> = { status: 'active', institution_name: 'StripeBank' };
    em.load('review', [review]);
    em.load('financial_connections.account', [account]);
    const approved = await stripe.reviews.approve(review.id as string);
    expect([approved.open, approved.closed_reason]).toEqual([false, 'approved']);
    expect((await stripeError(stripe.reviews.approve(review.id as string))).statusCode).toBe(400);
    const refreshed = await stripe.financialConnections.accounts.refresh(account.id as string, {
      features: ['balance'],
    });
    expect(refreshed.balance_refresh?.status).toBe('pending');
    await stripe.financialConnections.accounts.disconnect(account.id as string);
    const stale = await stripeError(
      stripe.financialConnections.accounts.refresh(account.id as string, { features: ['ownership'] }),
    );
    expect(stale.statusCode).toBe(400);
  });
}
