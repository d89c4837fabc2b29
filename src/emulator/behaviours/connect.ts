/**
 * Connect: application fees a platform collects on its connected accounts' direct charges (with
 * their refunds), and account capabilities, requested on create or update and then updatable.
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid, missing } from '../errors.ts';
import { genericHandlers, listPage } from '../generic.ts';
import type { Obj } from '../objects.ts';

/**
 * A direct charge on a connected account (`Stripe-Account` header) with `application_fee_amount`:
 * the fee lands on the platform as an ApplicationFee; the charge names it.
 */
export function collectApplicationFee(ctx: Ctx, charge: Obj, amount: number): void {
  if (!ctx.account || !amount) return;
  const platform: Ctx = { ...ctx, account: undefined, ns: ctx.engine.store.namespace(ctx.livemode) };
  const id = ctx.engine.newId('application_fee', ctx.livemode);
  const fee = ctx.engine.create(platform, 'application_fee', {
    id,
    account: ctx.account,
    amount,
    amount_refunded: 0,
    application: 'ca_emulator',
    balance_transaction: null,
    charge: charge.id,
    currency: charge.currency,
    originating_transaction: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/application_fees/${id}/refunds` },
  });
  ctx.engine.update(
    ctx,
    'charge',
    charge,
    { application_fee: fee.id, application_fee_amount: amount },
    false,
  );
}

function refundFee(ctx: Ctx, fee: Obj): Obj {
  const remaining = fee.amount - fee.amount_refunded;
  const amount = ctx.params.amount === undefined ? remaining : Number(ctx.params.amount);
  if (remaining <= 0) throw invalid(`Application fee ${fee.id} has already been refunded.`);
  if (amount <= 0 || amount > remaining) {
    throw invalid(
      `Refund amount (${amount}) is greater than unrefunded amount on fee (${remaining})`,
      'amount_too_large',
      'amount',
    );
  }
  const refund = ctx.engine.create(ctx, 'fee_refund', {
    amount,
    balance_transaction: null,
    currency: fee.currency,
    fee: fee.id,
    metadata: {},
  });
  ctx.engine.shapes.apply(refund, 'fee_refund', { metadata: ctx.params.metadata });
  const data = [refund, ...(fee.refunds?.data ?? [])];
  ctx.engine.update(
    ctx,
    'application_fee',
    fee,
    {
      amount_refunded: fee.amount_refunded + amount,
      refunded: fee.amount_refunded + amount >= fee.amount,
      refunds: { ...fee.refunds, data, has_more: false, total_count: data.length },
    },
    'application_fee.refunded',
  );
  return refund;
}

// ---- capabilities: per account, keyed by name (`card_payments`), in the namespace's side store ----

type Capabilities = Record<string, Obj>;

function capabilitiesOf(ctx: Ctx, account: string): Capabilities {
  const key = `capabilities:${account}`;
  let caps = ctx.ns.side.get(key) as Capabilities | undefined;
  if (!caps) {
    caps = {};
    ctx.ns.side.set(key, caps);
  }
  return caps;
}

function requestCapabilities(ctx: Ctx, account: Obj, requested: Obj | undefined): void {
  if (!requested || typeof requested !== 'object') return;
  const caps = capabilitiesOf(ctx, account.id);
  for (const [name, spec] of Object.entries(requested)) {
    const want = (spec as Obj)?.requested === true;
    const cap =
      caps[name] ??
      ctx.engine.create(
        ctx,
        'capability',
        { id: name, account: account.id, requested: false, requested_at: null, status: 'unrequested' },
        { store: false, emit: false },
      );
    caps[name] = cap;
    setRequested(ctx, cap, want);
  }
  ctx.engine.update(
    ctx,
    'account',
    account,
    {
      // The account's map names requested capabilities only.
      capabilities: Object.fromEntries(
        Object.values(caps)
          .filter((c) => c.status !== 'unrequested')
          .map((c) => [c.id, c.status]),
      ),
    },
    false,
  );
}

/** A requested capability waits on the account's requirements (`inactive`) until they are met. */
function setRequested(ctx: Ctx, cap: Obj, want: boolean): void {
  ctx.engine.update(
    ctx,
    'capability',
    cap,
    want
      ? { requested: true, requested_at: cap.requested_at ?? ctx.now, status: 'inactive' }
      : { requested: false, requested_at: null, status: 'unrequested' },
    false,
  );
}

function getCapability(ctx: Ctx): { account: Obj; cap: Obj } {
  const account = ctx.engine.get(ctx, 'account', ctx.pathValues.account, 'account');
  const cap = capabilitiesOf(ctx, account.id)[ctx.pathValues.capability];
  if (!cap) throw missing('capability', ctx.pathValues.capability, 'capability');
  return { account, cap };
}

export function registerConnect(engine: Engine): void {
  engine.on('application_fee', 'refund', (ctx) => {
    const fee = ctx.engine.get(ctx, 'application_fee', ctx.pathValues.id, 'id');
    refundFee(ctx, fee);
    return fee;
  });
  engine.on('fee_refund', 'create', (ctx) =>
    refundFee(ctx, ctx.engine.get(ctx, 'application_fee', ctx.pathValues.id, 'id')),
  );
  engine.on('fee_refund', 'list', (ctx) => {
    const fee = ctx.engine.get(ctx, 'application_fee', ctx.pathValues.id, 'id');
    return listPage(ctx, 'fee_refund', (r) => r.fee === fee.id);
  });

  for (const op of ['create', 'update'] as const) {
    engine.on('account', op, async (ctx) => {
      const account = (await genericHandlers[op](ctx)) as Obj;
      requestCapabilities(ctx, account, ctx.params.capabilities as Obj | undefined);
      return account;
    });
  }
  engine.on('capability', 'list', (ctx) => {
    const account = ctx.engine.get(ctx, 'account', ctx.pathValues.account, 'account');
    const data = Object.values(capabilitiesOf(ctx, account.id));
    return { object: 'list', data, has_more: false, url: ctx.path };
  });
  engine.on('capability', 'retrieve', (ctx) => getCapability(ctx).cap);
  engine.on('capability', 'update', (ctx) => {
    const { account, cap } = getCapability(ctx);
    if (ctx.params.requested !== undefined) {
      setRequested(ctx, cap, ctx.params.requested === true);
      requestCapabilities(ctx, account, {});
      ctx.engine.emit(ctx, 'capability.updated', cap);
    }
    return cap;
  });
}
