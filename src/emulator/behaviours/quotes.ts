/** Quote: draft → finalize (open) → accept (creates the invoice, or a subscription) / cancel. */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { createInvoice, createInvoiceItem, pageOf } from './invoices.ts';
import { createSubscription } from './subscriptions.ts';
import { createPrice } from './customers.ts';
import { money, textPdf } from '../pdf.ts';

const linesKey = (id: string) => `quote_lines:${id}`;

function buildLines(ctx: Ctx, input: Obj[]): Obj[] {
  return input.map((li, i) => {
    let price: Obj;
    if (li.price) price = ctx.engine.get(ctx, 'price', String(li.price), `line_items[${i}][price]`);
    else if (li.price_data) price = createPrice(ctx, li.price_data as Obj);
    else
      throw invalid(
        `Missing required param: line_items[${i}][price].`,
        'parameter_missing',
        `line_items[${i}][price]`,
      );
    const quantity = Number(li.quantity ?? 1);
    const amount = (price.unit_amount ?? 0) * quantity;
    return {
      id: `li_${ctx.engine.ids.chars(14)}`,
      object: 'item',
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: String(price.nickname ?? price.product),
      price: ctx.engine.render(price),
      quantity,
    };
  });
}

function totals(lines: Obj[]): Obj {
  const upfront = lines
    .filter((l) => l.price.type !== 'recurring' || true)
    .reduce((s, l) => s + l.amount_total, 0);
  const recurring = lines.filter((l) => l.price.type === 'recurring');
  const recurringTotal = recurring.reduce((s, l) => s + l.amount_total, 0);
  const details = { amount_discount: 0, amount_shipping: 0, amount_tax: 0 };
  return {
    amount_subtotal: upfront,
    amount_total: upfront,
    currency: lines[0]?.currency ?? null,
    total_details: details,
    computed: {
      recurring: recurring.length
        ? {
            amount_subtotal: recurringTotal,
            amount_total: recurringTotal,
            interval: recurring[0].price.recurring.interval,
            interval_count: recurring[0].price.recurring.interval_count,
            total_details: details,
          }
        : null,
      upfront: { amount_subtotal: upfront, amount_total: upfront, total_details: details },
    },
  };
}

function getQuote(ctx: Ctx): Obj {
  return ctx.engine.get(ctx, 'quote', ctx.pathValues.quote, 'quote');
}

function requireStatus(q: Obj, allowed: string[], action: string): void {
  if (!allowed.includes(q.status)) {
    throw invalid(
      `This quote cannot be ${action} because it has a status of ${q.status}.`,
      'quote_unexpected_state' as string,
    );
  }
}

export function registerQuotes(engine: Engine): void {
  engine.on('quote', 'create', (ctx) => {
    const p = ctx.params;
    if (p.customer) ctx.engine.get(ctx, 'customer', String(p.customer), 'customer');
    const lines = buildLines(ctx, (p.line_items as Obj[]) ?? []);
    const q = ctx.engine.create(
      ctx,
      'quote',
      {
        collection_method: 'charge_automatically',
        expires_at: ctx.now + 30 * 86400,
        invoice_settings: { days_until_due: null },
        number: null,
        status: 'draft',
        status_transitions: { accepted_at: null, canceled_at: null, finalized_at: null },
        ...totals(lines),
      },
      { emit: false },
    );
    ctx.engine.shapes.apply(q, 'quote', p, new Set(['line_items']));
    ctx.ns.side.set(linesKey(q.id), lines);
    ctx.engine.emit(ctx, 'quote.created', q);
    return q;
  });
  engine.on('quote', 'update', (ctx) => {
    const q = getQuote(ctx);
    requireStatus(q, ['draft'], 'updated');
    const previous = ctx.engine.shapes.apply(q, 'quote', ctx.params, new Set(['line_items']));
    if (ctx.params.line_items) {
      const lines = buildLines(ctx, ctx.params.line_items as Obj[]);
      ctx.ns.side.set(linesKey(q.id), lines);
      Object.assign(q, totals(lines));
    }
    ctx.engine.emit(ctx, 'quote.updated', q, previous);
    return q;
  });
  engine.on('quote', 'finalize', (ctx) => {
    const q = getQuote(ctx);
    requireStatus(q, ['draft'], 'finalized');
    if (!q.customer)
      throw invalid('A quote needs a customer before it can be finalized.', 'parameter_missing', 'customer');
    const lines = (ctx.ns.side.get(linesKey(q.id)) as Obj[]) ?? [];
    if (!lines.length)
      throw invalid(
        'A quote needs at least one line item before it can be finalized.',
        'parameter_missing',
        'line_items',
      );
    ctx.engine.update(
      ctx,
      'quote',
      q,
      {
        status: 'open',
        number: `QT-${ctx.engine.ids.chars(8).toUpperCase()}-${ctx.ns.next('quote')}`,
        status_transitions: { ...q.status_transitions, finalized_at: ctx.now },
      },
      'quote.finalized',
    );
    return q;
  });
  engine.on('quote', 'accept', (ctx) => {
    const q = getQuote(ctx);
    requireStatus(q, ['open'], 'accepted');
    const lines = (ctx.ns.side.get(linesKey(q.id)) as Obj[]) ?? [];
    const recurring = lines.filter((l) => l.price.type === 'recurring');
    const oneTime = lines.filter((l) => l.price.type !== 'recurring');
    const changes: Obj = {
      status: 'accepted',
      status_transitions: { ...q.status_transitions, accepted_at: ctx.now },
    };
    if (recurring.length) {
      const sub = createSubscription(ctx, {
        customer: q.customer,
        items: recurring.map((l) => ({ price: l.price.id, quantity: l.quantity })),
        payment_behavior: 'default_incomplete',
        collection_method: q.collection_method,
      });
      changes.subscription = sub.id;
      changes.invoice = sub.latest_invoice;
    } else {
      const inv = createInvoice(
        ctx,
        { customer: q.customer, collection_method: q.collection_method, currency: lines[0]?.currency },
        { quote: q.id },
      );
      for (const l of oneTime)
        createInvoiceItem(ctx, {
          customer: q.customer,
          price: l.price.id,
          quantity: l.quantity,
          invoice: inv.id,
        });
      changes.invoice = inv.id;
    }
    ctx.engine.update(ctx, 'quote', q, changes, 'quote.accepted');
    return q;
  });
  engine.on('quote', 'cancel', (ctx) => {
    const q = getQuote(ctx);
    requireStatus(q, ['draft', 'open'], 'canceled');
    ctx.engine.update(
      ctx,
      'quote',
      q,
      { status: 'canceled', status_transitions: { ...q.status_transitions, canceled_at: ctx.now } },
      'quote.canceled',
    );
    return q;
  });
  engine.includables.set('quote:line_items', (ctx, q) => ({
    object: 'list',
    data: (ctx.ns.side.get(linesKey(q.id)) as Obj[] | undefined) ?? [],
    has_more: false,
    url: `/v1/quotes/${q.id}/line_items`,
  }));
  registerQuoteDocuments(engine);
}

/** What a quote shows besides itself: its PDF and its line item lists. */
function registerQuoteDocuments(engine: Engine): void {
  engine.on('quote', 'pdf', quotePdf);
  const lines = (ctx: Ctx) => pageOf(ctx, (ctx.ns.side.get(linesKey(getQuote(ctx).id)) as Obj[]) ?? []);
  engine.on('item', 'list_quotes', lines);
  engine.on('item', 'list_quotes_computed_upfront_line_items', lines);
}

/** The quote as a document: 404 like retrieve for an unknown quote, else its number, lines and total. */
function quotePdf(ctx: Ctx): Buffer {
  const q = getQuote(ctx);
  const items = (ctx.ns.side.get(linesKey(q.id)) as Obj[] | undefined) ?? [];
  return textPdf(`Quote ${q.number ?? `${q.id} (draft)`}`, [
    ...items.map((l) => `${l.quantity} x ${l.description}: ${money(l.amount_total, l.currency)}`),
    '',
    `Total: ${money(q.amount_total ?? 0, q.currency)}`,
  ]);
}
