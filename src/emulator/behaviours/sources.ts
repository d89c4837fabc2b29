/**
 * Tokens (card and bank account) and the legacy sources a customer holds: cards and bank accounts
 * added from a token (`tok_visa`, or one made with /v1/tokens), bank accounts verified with the
 * micro-deposit amounts Stripe's test mode accepts (32 and 45).
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid, missing } from '../errors.ts';
import { genericHandlers } from '../generic.ts';
import type { Obj } from '../objects.ts';
import { cardByName, cardByNumber, type TestCard } from './cards.ts';

const BRAND: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'MasterCard',
  amex: 'American Express',
  discover: 'Discover',
  jcb: 'JCB',
  unionpay: 'UnionPay',
};

function cardObject(ctx: Ctx, card: TestCard, extra: Obj = {}): Obj {
  const out = ctx.engine.shapes.template('card');
  Object.assign(out, {
    id: ctx.engine.newId('card', ctx.livemode),
    object: 'card',
    brand: BRAND[card.brand] ?? 'Unknown',
    country: card.country ?? 'US',
    cvc_check: 'pass',
    exp_month: 12,
    exp_year: new Date().getUTCFullYear() + 3,
    fingerprint: `fp${card.last4}${card.brand}`.slice(0, 16),
    funding: card.funding ?? 'credit',
    last4: card.last4,
    metadata: {},
    ...extra,
  });
  return out;
}

function bankAccountObject(ctx: Ctx, p: Obj): Obj {
  const number = String(p.account_number ?? '000123456789');
  const out = ctx.engine.shapes.template('bank_account');
  Object.assign(out, {
    id: ctx.engine.newId('bank_account', ctx.livemode),
    object: 'bank_account',
    account_holder_name: p.account_holder_name ?? null,
    account_holder_type: p.account_holder_type ?? null,
    account_type: p.account_type ?? null,
    bank_name: 'STRIPE TEST BANK',
    country: p.country ?? 'US',
    currency: p.currency ?? 'usd',
    fingerprint: `fpba${number.slice(-8)}`,
    last4: number.slice(-4),
    metadata: {},
    routing_number: p.routing_number ?? null,
    status: 'new',
  });
  return out;
}

/** The card or bank account a token (`tok_visa`, `btok_…`, a stored token) stands for. */
function fromToken(ctx: Ctx, id: string, param: string): Obj {
  const magic = /^tok_(\w+)$/.exec(id);
  const known = magic ? cardByName(magic[1]) : undefined;
  if (known) return cardObject(ctx, known);
  const token = ctx.engine.find(ctx, 'token', id);
  if (!token) throw missing('token', id, param);
  if (token.used) {
    throw invalid(`You cannot use a Stripe token more than once: ${id}.`, 'token_already_used', param);
  }
  ctx.engine.update(ctx, 'token', token, { used: true }, false);
  const inner = token.type === 'bank_account' ? token.bank_account : token.card;
  return { ...structuredClone(inner), id: ctx.engine.newId(token.type, ctx.livemode) };
}

function addSource(ctx: Ctx): Obj {
  const customer = ctx.engine.get(ctx, 'customer', ctx.pathValues.customer, 'customer');
  const p = ctx.params;
  const given = p.source ?? p.card ?? p.bank_account;
  let source: Obj;
  if (typeof given === 'string')
    source = fromToken(ctx, given, p.source ? 'source' : p.card ? 'card' : 'bank_account');
  else if (p.bank_account && typeof p.bank_account === 'object')
    source = bankAccountObject(ctx, p.bank_account as Obj);
  else if (p.card && typeof p.card === 'object')
    source = cardObject(ctx, cardByNumber(String((p.card as Obj).number ?? '')));
  else throw invalid('Missing required param: source.', 'parameter_missing', 'source');
  source.customer = customer.id;
  if (p.metadata) ctx.engine.shapes.apply(source, source.object, { metadata: p.metadata });
  ctx.engine.sanitize(source.object, source);
  ctx.ns.collection(source.object).insert(source);
  ctx.engine.emit(ctx, 'customer.source.created', source);
  if (!customer.default_source) ctx.engine.update(ctx, 'customer', customer, { default_source: source.id });
  return source;
}

function verify(ctx: Ctx): Obj {
  const ba = ctx.engine.get(ctx, 'bank_account', ctx.pathValues.id, 'id');
  if (ba.customer !== ctx.pathValues.customer) throw missing('bank_account', ctx.pathValues.id, 'id');
  if (ba.status === 'verified') throw invalid('This bank account has already been verified.');
  const amounts = ((ctx.params.amounts as unknown[]) ?? []).map(Number).sort((a, b) => a - b);
  if (amounts.length !== 2 || amounts[0] !== 32 || amounts[1] !== 45) {
    throw invalid(
      'The amounts provided do not match the amounts that were sent to the bank account.',
      'bank_account_verification_failed',
      'amounts',
    );
  }
  ctx.engine.update(ctx, 'bank_account', ba, { status: 'verified' }, 'customer.source.updated');
  return ba;
}

export function registerSources(engine: Engine): void {
  engine.on('token', 'create', (ctx) => {
    const p = ctx.params;
    let fields: Obj | undefined;
    if (p.bank_account && typeof p.bank_account === 'object') {
      const ba = bankAccountObject(ctx, p.bank_account as Obj);
      fields = { id: ctx.engine.ids.id('btok', 24), type: 'bank_account', bank_account: ba };
    } else if (p.card) {
      const card =
        typeof p.card === 'string'
          ? (cardByName(p.card.replace(/^tok_/, '')) ?? cardByNumber(''))
          : cardByNumber(String((p.card as Obj).number ?? ''));
      fields = { type: 'card', card: cardObject(ctx, card) };
    }
    if (!fields) return genericHandlers.create(ctx);
    return ctx.engine.create(ctx, 'token', { used: false, client_ip: null, ...fields }, { emit: false });
  });
  for (const op of ['create', 'create_cards', 'create_sources']) engine.on('payment_source', op, addSource);
  engine.on('bank_account', 'verify', verify);
  engine.on('bank_account', 'verify_sources', verify);
}
