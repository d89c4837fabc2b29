/**
 * InvoiceItems and Invoices: draft (lines from pending items) → finalize (number) → open → pay /
 * void / mark_uncollectible; totals kept in step with the lines.
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid, missing } from '../errors.ts';
import { pageLimit } from '../generic.ts';
import type { Obj } from '../objects.ts';
import { cardError, chargeCard } from './charges.ts';
import { resolveMethod, withMethodOptions } from './payment_intents.ts';

function period(ctx: Ctx): Obj {
  return { start: ctx.now, end: ctx.now };
}

/** What Stripe sends on an invoice line without discounts or taxes (empty arrays, not null). */
export const LINE_DEFAULTS = {
  discount_amounts: [],
  discounts: [],
  proration_details: { credited_items: null },
  tax_amounts: [],
  tax_rates: [],
};

export function lineFromItem(ctx: Ctx, ii: Obj): Obj {
  const line = ctx.engine.shapes.template('line_item');
  return Object.assign(line, structuredClone(LINE_DEFAULTS), {
    id: `il_tmp_${ii.id.replace(/^ii_/, '')}`,
    object: 'line_item',
    amount: ii.amount,
    amount_excluding_tax: ii.amount,
    currency: ii.currency,
    description: ii.description,
    discountable: ii.discountable,
    invoice_item: ii.id,
    livemode: ctx.livemode,
    metadata: ii.metadata ?? {},
    period: ii.period,
    price: ii.price,
    proration: Boolean(ii.proration),
    quantity: ii.quantity,
    type: 'invoiceitem',
    unit_amount_excluding_tax: ii.unit_amount_decimal ?? String(ii.unit_amount ?? ii.amount),
  });
}

export function recompute(ctx: Ctx, inv: Obj): void {
  const data: Obj[] = inv.lines.data;
  const subtotal = data.reduce((s, l) => s + (l.amount ?? 0), 0);
  const due = Math.max(0, subtotal + (inv.starting_balance ?? 0));
  Object.assign(inv, {
    subtotal,
    subtotal_excluding_tax: subtotal,
    total: subtotal,
    total_excluding_tax: subtotal,
    amount_due: due,
    amount_remaining: Math.max(0, due - (inv.amount_paid ?? 0)),
    lines: { ...inv.lines, total_count: data.length },
  });
}

export function createInvoiceItem(ctx: Ctx, p: Obj): Obj {
  const customer = ctx.engine.get(ctx, 'customer', String(p.customer), 'customer');
  let price: Obj | null = null;
  if (p.price) price = ctx.engine.get(ctx, 'price', String(p.price), 'price');
  const quantity = p.quantity === undefined ? 1 : Number(p.quantity);
  const priceData = p.price_data as Obj | undefined;
  const unit = price?.unit_amount ?? priceData?.unit_amount ?? p.unit_amount ?? null;
  const amount = p.amount !== undefined ? Number(p.amount) : Number(unit ?? 0) * quantity;
  const currency = String(p.currency ?? price?.currency ?? priceData?.currency ?? customer.currency ?? 'usd');
  let invoice: Obj | undefined;
  if (p.invoice) {
    invoice = ctx.engine.get(ctx, 'invoice', String(p.invoice), 'invoice');
    if (invoice.status !== 'draft')
      throw invalid('You can only add invoice items to draft invoices.', 'invoice_not_editable', 'invoice');
  }
  const ii = ctx.engine.create(
    ctx,
    'invoiceitem',
    {
      amount,
      currency,
      customer: customer.id,
      date: ctx.now,
      discountable: true,
      invoice: invoice?.id ?? null,
      metadata: {},
      period: period(ctx),
      price: price ? ctx.engine.render(price) : null,
      proration: false,
      quantity,
      unit_amount: unit ?? amount,
      unit_amount_decimal: String(unit ?? amount),
      subscription: (p.subscription as string) ?? null,
    },
    { emit: false },
  );
  ctx.engine.shapes.apply(
    ii,
    'invoiceitem',
    p,
    new Set(['customer', 'price', 'invoice', 'amount', 'currency', 'quantity', 'unit_amount', 'period']),
  );
  ctx.engine.emit(ctx, 'invoiceitem.created', ii);
  if (invoice) {
    invoice.lines.data.push(lineFromItem(ctx, ii));
    recompute(ctx, invoice);
  }
  return ii;
}

export function createInvoice(ctx: Ctx, p: Obj, extra: Obj = {}): Obj {
  const customer = ctx.engine.get(ctx, 'customer', String(p.customer), 'customer');
  const collection = (p.collection_method as string) ?? 'charge_automatically';
  const id = ctx.engine.newId('invoice', ctx.livemode);
  const inv = ctx.engine.create(
    ctx,
    'invoice',
    {
      id,
      account_country: 'US',
      account_name: 'Stripe Emulator',
      amount_paid: 0,
      attempt_count: 0,
      attempted: false,
      auto_advance: p.auto_advance ?? false,
      billing_reason: 'manual',
      collection_method: collection,
      currency: String(p.currency ?? customer.currency ?? 'usd'),
      customer: customer.id,
      customer_address: customer.address ?? null,
      customer_email: customer.email ?? null,
      customer_name: customer.name ?? null,
      customer_phone: customer.phone ?? null,
      customer_shipping: customer.shipping ?? null,
      customer_tax_exempt: customer.tax_exempt ?? 'none',
      customer_tax_ids: [],
      discounts: [],
      total_discount_amounts: [],
      due_date: collection === 'send_invoice' ? ctx.now + Number(p.days_until_due ?? 30) * 86400 : null,
      lines: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/invoices/${id}/lines` },
      number: null,
      paid: false,
      paid_out_of_band: false,
      period_end: ctx.now,
      period_start: ctx.now,
      starting_balance: customer.balance ?? 0,
      status: 'draft',
      status_transitions: {
        finalized_at: null,
        marked_uncollectible_at: null,
        paid_at: null,
        voided_at: null,
      },
      ...extra,
    },
    { emit: false },
  );
  ctx.engine.shapes.apply(
    inv,
    'invoice',
    p,
    new Set(['customer', 'pending_invoice_items_behavior', 'currency', 'lines', 'subscription']),
  );
  // Since API 2022-08-01 pending items are only pulled in when asked.
  if (p.pending_invoice_items_behavior === 'include') {
    for (const ii of ctx.ns.collection('invoiceitem').oldestFirst()) {
      if (ii.customer === customer.id && ii.invoice === null && ii.currency === inv.currency) {
        ctx.engine.update(ctx, 'invoiceitem', ii, { invoice: inv.id }, false);
        inv.lines.data.push(lineFromItem(ctx, ii));
      }
    }
  }
  recompute(ctx, inv);
  ctx.engine.emit(ctx, 'invoice.created', inv);
  return inv;
}

function getInvoice(ctx: Ctx): Obj {
  return ctx.engine.get(ctx, 'invoice', ctx.pathValues.invoice, 'id');
}

export function finalize(ctx: Ctx, inv: Obj): Obj {
  if (inv.status !== 'draft') {
    throw invalid(
      "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
      'invoice_not_editable',
    );
  }
  const customer = ctx.engine.get(ctx, 'customer', inv.customer, 'customer');
  const seq = customer.next_invoice_sequence ?? 1;
  ctx.engine.update(ctx, 'customer', customer, { next_invoice_sequence: seq + 1 }, false);
  recompute(ctx, inv);
  const paidNow = inv.amount_due === 0;
  ctx.engine.update(
    ctx,
    'invoice',
    inv,
    {
      number: `${customer.invoice_prefix ?? 'EMU'}-${String(seq).padStart(4, '0')}`,
      status: paidNow ? 'paid' : 'open',
      paid: paidNow,
      effective_at: ctx.now,
      ending_balance: inv.starting_balance ?? 0,
      hosted_invoice_url: `https://invoice.stripe.com/i/emulator/${inv.id}`,
      invoice_pdf: `https://pay.stripe.com/invoice/emulator/${inv.id}/pdf`,
      webhooks_delivered_at: ctx.now,
      status_transitions: {
        ...inv.status_transitions,
        finalized_at: ctx.now,
        paid_at: paidNow ? ctx.now : null,
      },
    },
    'invoice.finalized',
  );
  if (paidNow) {
    ctx.engine.emit(ctx, 'invoice.paid', inv);
    ctx.engine.emit(ctx, 'invoice.payment_succeeded', inv);
  }
  return inv;
}

/** Pays an open invoice with the given or default payment method; a decline answers 402. */
export function pay(ctx: Ctx, inv: Obj, p: Obj): Obj {
  if (inv.status === 'draft') finalize(ctx, inv);
  if (inv.status === 'paid') throw invalid('Invoice is already paid.', 'invoice_already_paid' as string);
  if (inv.status !== 'open' && inv.status !== 'uncollectible') {
    throw invalid(`You cannot pay an invoice with status ${inv.status}.`, 'invoice_not_editable' as string);
  }
  const changes: Obj = { attempted: true, attempt_count: (inv.attempt_count ?? 0) + 1 };
  if (p.paid_out_of_band === true || inv.amount_remaining === 0) {
    Object.assign(changes, { paid_out_of_band: p.paid_out_of_band === true });
  } else {
    const customer = ctx.engine.get(ctx, 'customer', inv.customer, 'customer');
    const pmId =
      (p.payment_method as string) ??
      inv.default_payment_method ??
      customer.invoice_settings?.default_payment_method ??
      customer.default_source;
    if (!pmId) {
      throw invalid(
        'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
        'invoice_no_payment_method_types' as string,
      );
    }
    const pm = resolveMethod(ctx, pmId, customer.id);
    const piId = ctx.engine.newId('payment_intent', ctx.livemode);
    const { charge, decline } = chargeCard(ctx, {
      amount: inv.amount_remaining,
      currency: inv.currency,
      paymentMethod: pm,
      customer: customer.id,
      capture: true,
      description: `Payment for Invoice ${inv.number}`,
      paymentIntent: piId,
      invoice: inv.id,
      offSession: true,
    });
    const pi = ctx.engine.create(
      ctx,
      'payment_intent',
      {
        id: piId,
        amount: inv.amount_remaining,
        amount_capturable: 0,
        amount_received: decline ? 0 : inv.amount_remaining,
        capture_method: 'automatic',
        client_secret: `${piId}_secret_${ctx.engine.ids.chars(24)}`,
        confirmation_method: 'automatic',
        currency: inv.currency,
        customer: customer.id,
        invoice: inv.id,
        latest_charge: charge.id,
        payment_method: pm.id,
        payment_method_types: ['card'],
        status: decline ? 'requires_payment_method' : 'succeeded',
      },
      { emit: false },
    );
    withMethodOptions(ctx, 'payment_intent', pi);
    ctx.engine.emit(ctx, 'payment_intent.created', pi);
    changes.payment_intent = pi.id;
    changes.charge = charge.id;
    if (decline) {
      ctx.engine.update(ctx, 'invoice', inv, changes, false);
      ctx.engine.emit(ctx, 'invoice.payment_failed', inv);
      throw cardError(decline, { charge: charge.id, payment_intent: ctx.engine.render(pi) });
    }
  }
  Object.assign(changes, {
    status: 'paid',
    paid: true,
    amount_paid: inv.amount_due,
    amount_remaining: 0,
    status_transitions: { ...inv.status_transitions, paid_at: ctx.now },
  });
  ctx.engine.update(ctx, 'invoice', inv, changes, 'invoice.paid');
  ctx.engine.emit(ctx, 'invoice.payment_succeeded', inv);
  if (inv.subscription) {
    const sub = ctx.engine.find(ctx, 'subscription', inv.subscription);
    if (sub && (sub.status === 'incomplete' || sub.status === 'past_due'))
      ctx.engine.update(ctx, 'subscription', sub, { status: 'active' });
  }
  return inv;
}

export function registerInvoices(engine: Engine): void {
  engine.on('invoiceitem', 'create', (ctx) => createInvoiceItem(ctx, ctx.params));
  engine.on('invoiceitem', 'delete', (ctx) => {
    const ii = ctx.engine.get(ctx, 'invoiceitem', ctx.pathValues.invoiceitem, 'invoiceitem');
    if (ii.invoice) {
      const inv = ctx.engine.find(ctx, 'invoice', ii.invoice);
      if (inv && inv.status !== 'draft')
        throw invalid(
          'You cannot delete an invoice item that is attached to a finalized invoice.',
          'invoice_not_editable',
        );
      if (inv) {
        inv.lines.data = inv.lines.data.filter((l: Obj) => l.invoice_item !== ii.id);
        recompute(ctx, inv);
      }
    }
    ctx.ns.collection('invoiceitem').delete(ii.id);
    ctx.engine.emit(ctx, 'invoiceitem.deleted', ii);
    return { id: ii.id, object: 'invoiceitem', deleted: true };
  });
  engine.on('invoice', 'create', (ctx) => createInvoice(ctx, ctx.params));
  engine.on('invoice', 'finalize', (ctx) => finalize(ctx, getInvoice(ctx)));
  engine.on('invoice', 'pay', (ctx) => pay(ctx, getInvoice(ctx), ctx.params));
  engine.on('invoice', 'update', (ctx) => {
    const inv = getInvoice(ctx);
    if (
      inv.status !== 'draft' &&
      Object.keys(ctx.params).some(
        (k) => !['metadata', 'description', 'footer', 'expand', 'auto_advance'].includes(k),
      )
    ) {
      throw invalid(
        'Finalized invoices can only update metadata, description, footer and auto_advance.',
        'invoice_not_editable',
      );
    }
    const previous = ctx.engine.shapes.apply(inv, 'invoice', ctx.params);
    if (Object.keys(previous).length) ctx.engine.emit(ctx, 'invoice.updated', inv, previous);
    return inv;
  });
  const transition = (from: string[], to: string, event: string, stamp?: string) => (ctx: Ctx) => {
    const inv = getInvoice(ctx);
    if (!from.includes(inv.status)) {
      throw invalid(
        `You can only ${event.split('.')[1].replace('_', ' ')} an invoice with status ${from.join(' or ')}; this one is ${inv.status}.`,
        'invoice_not_editable' as string,
      );
    }
    const changes: Obj = { status: to };
    if (stamp) changes.status_transitions = { ...inv.status_transitions, [stamp]: ctx.now };
    if (to === 'void') changes.amount_remaining = 0;
    ctx.engine.update(ctx, 'invoice', inv, changes, event);
    return inv;
  };
  engine.on('invoice', 'void', transition(['open', 'uncollectible'], 'void', 'invoice.voided', 'voided_at'));
  engine.on(
    'invoice',
    'mark_uncollectible',
    transition(['open'], 'uncollectible', 'invoice.marked_uncollectible', 'marked_uncollectible_at'),
  );
  engine.on('invoice', 'send', (ctx) => {
    const inv = getInvoice(ctx);
    if (inv.status !== 'open')
      throw invalid('You can only send an open invoice.', 'invoice_not_editable' as string);
    ctx.engine.emit(ctx, 'invoice.sent', inv);
    return inv;
  });
  engine.on('invoice', 'delete', (ctx) => {
    const inv = getInvoice(ctx);
    if (inv.status !== 'draft')
      throw invalid('You can only delete draft invoices.', 'invoice_not_editable' as string);
    for (const l of inv.lines.data as Obj[]) {
      const ii = l.invoice_item && ctx.engine.find(ctx, 'invoiceitem', l.invoice_item);
      if (ii) ctx.engine.update(ctx, 'invoiceitem', ii, { invoice: null }, false);
    }
    ctx.ns.collection('invoice').delete(inv.id);
    ctx.engine.emit(ctx, 'invoice.deleted', inv);
    return { id: inv.id, object: 'invoice', deleted: true };
  });
  engine.on('line_item', 'list', (ctx) => {
    const inv = getInvoice(ctx);
    return pageOf(ctx, inv.lines.data);
  });
  const upcoming = (ctx: Ctx): Obj => {
    if (!ctx.params.customer && !ctx.params.subscription)
      throw invalid('Missing required param: customer.', 'parameter_missing', 'customer');
    const customerId =
      (ctx.params.customer as string) ??
      ctx.engine.get(ctx, 'subscription', String(ctx.params.subscription), 'subscription').customer;
    const customer = ctx.engine.get(ctx, 'customer', customerId, 'customer');
    const pending = [...ctx.ns.collection('invoiceitem').oldestFirst()].filter(
      (ii) => ii.customer === customer.id && ii.invoice === null,
    );
    if (!pending.length)
      throw invalid('No upcoming invoices for customer: ' + customer.id, 'invoice_upcoming_none');
    const inv = ctx.engine.shapes.template('invoice');
    Object.assign(inv, {
      object: 'invoice',
      created: ctx.now,
      livemode: ctx.livemode,
      customer: customer.id,
      currency: pending[0].currency,
      status: 'draft',
      collection_method: 'charge_automatically',
      period_start: ctx.now,
      period_end: ctx.now,
      lines: {
        object: 'list',
        data: pending.map((ii) => lineFromItem(ctx, ii)),
        has_more: false,
        total_count: pending.length,
        url: '/v1/invoices/upcoming/lines',
      },
    });
    recompute(ctx, inv);
    return inv;
  };
  engine.on('invoice', 'upcoming', upcoming);
  engine.on('line_item', 'list_upcoming', (ctx) => pageOf(ctx, upcoming(ctx).lines.data));
}

/**
 * Pagination over an embedded array (invoice lines, quote lines), in its own order: what an
 * embedded list cut at 10 leaves over is reached here with `starting_after`.
 */
export function pageOf(ctx: Ctx, items: Obj[], resource = 'line_item'): Obj {
  const limit = pageLimit(ctx);
  const cursor = (name: 'starting_after' | 'ending_before'): number => {
    const id = ctx.params[name] as string;
    const at = items.findIndex((i) => i.id === id);
    if (at < 0) throw missing(resource, id, name);
    return at;
  };
  let start = 0;
  let end: number;
  if (ctx.params.ending_before !== undefined) {
    end = cursor('ending_before');
    start = Math.max(0, end - limit);
  } else {
    if (ctx.params.starting_after !== undefined) start = cursor('starting_after') + 1;
    end = Math.min(items.length, start + limit);
  }
  return {
    object: 'list',
    data: items.slice(start, end),
    has_more: ctx.params.ending_before !== undefined ? start > 0 : end < items.length,
    url: ctx.path,
  };
}
