/** SetupIntent: requires_payment_method → requires_confirmation → requires_action → succeeded / canceled. */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { attach, testCardOf } from './payment_methods.ts';
import { resolveMethod, withMethodOptions } from './payment_intents.ts';

function confirmSetup(ctx: Ctx, si: Obj, p: Obj): Obj {
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(si.status)) {
    throw invalid(
      `You cannot confirm this SetupIntent because it has a status of ${si.status}.`,
      'setup_intent_unexpected_state',
    );
  }
  const pmId = (p.payment_method as string | undefined) ?? si.payment_method;
  if (!pmId)
    throw invalid(
      "You cannot confirm this SetupIntent because it's missing a payment method.",
      'setup_intent_unexpected_state',
    );
  const pm = resolveMethod(ctx, pmId, si.customer);
  const card = testCardOf(pm);
  const authenticated = si.status === 'requires_action' && si.payment_method === pm.id;
  if (card?.auth && !authenticated) {
    ctx.engine.update(
      ctx,
      'setup_intent',
      si,
      {
        payment_method: pm.id,
        status: 'requires_action',
        next_action: p.return_url
          ? {
              type: 'redirect_to_url',
              redirect_to_url: {
                return_url: p.return_url,
                url: `https://hooks.stripe.com/3d_secure_2/hosted?setup_intent=${si.id}`,
              },
            }
          : { type: 'use_stripe_sdk', use_stripe_sdk: {} },
      },
      'setup_intent.requires_action',
    );
    return si;
  }
  if (si.customer && !pm.customer) attach(ctx, pm, si.customer);
  ctx.engine.update(
    ctx,
    'setup_intent',
    si,
    { payment_method: pm.id, status: 'succeeded', next_action: null, last_setup_error: null },
    'setup_intent.succeeded',
  );
  return si;
}

export function registerSetupIntents(engine: Engine): void {
  engine.on('setup_intent', 'create', (ctx) => {
    const p = ctx.params;
    if (p.customer) ctx.engine.get(ctx, 'customer', String(p.customer), 'customer');
    const pmId = p.payment_method
      ? resolveMethod(ctx, String(p.payment_method), p.customer as string).id
      : null;
    const id = ctx.engine.newId('setup_intent', ctx.livemode);
    const si = ctx.engine.create(
      ctx,
      'setup_intent',
      {
        id,
        client_secret: `${id}_secret_${ctx.engine.ids.chars(24)}`,
        payment_method: pmId,
        payment_method_types: ['card'],
        status: pmId ? 'requires_confirmation' : 'requires_payment_method',
        usage: 'off_session',
      },
      { emit: false },
    );
    ctx.engine.shapes.apply(si, 'setup_intent', p, new Set(['payment_method', 'confirm']));
    withMethodOptions(ctx, 'setup_intent', si);
    ctx.engine.emit(ctx, 'setup_intent.created', si);
    if (p.confirm === true) confirmSetup(ctx, si, { ...p, payment_method: pmId ?? undefined });
    return si;
  });
  const get = (ctx: Ctx) => ctx.engine.get(ctx, 'setup_intent', ctx.pathValues.intent, 'id');
  engine.on('setup_intent', 'confirm', (ctx) => confirmSetup(ctx, get(ctx), ctx.params));
  engine.on('setup_intent', 'cancel', (ctx) => {
    const si = get(ctx);
    if (si.status === 'succeeded' || si.status === 'canceled') {
      throw invalid(
        `You cannot cancel this SetupIntent because it has a status of ${si.status}.`,
        'setup_intent_unexpected_state',
      );
    }
    ctx.engine.update(
      ctx,
      'setup_intent',
      si,
      { status: 'canceled', cancellation_reason: ctx.params.cancellation_reason ?? null },
      'setup_intent.canceled',
    );
    return si;
  });
}
