/**
 * Treasury test helpers that move money: a ReceivedCredit (or ReceivedDebit) posts at once to the
 * financial account as a Transaction with its TransactionEntry, as in Stripe's test mode.
 */
import type { Ctx, Engine } from '../engine.ts';
import { genericHandlers } from '../generic.ts';
import type { Obj } from '../objects.ts';

function post(ctx: Ctx, flow: Obj, flowType: 'received_credit' | 'received_debit'): void {
  const signed = flowType === 'received_credit' ? flow.amount : -flow.amount;
  const balanceImpact = { cash: signed, inbound_pending: 0, outbound_pending: 0 };
  const common = {
    currency: flow.currency,
    financial_account: flow.financial_account,
    flow: flow.id,
    flow_type: flowType,
    flow_details: null,
    balance_impact: balanceImpact,
  };
  const txn = ctx.engine.create(ctx, 'treasury.transaction', {
    ...common,
    amount: signed,
    description: flow.description || (flowType === 'received_credit' ? 'Received credit' : 'Received debit'),
    entries: null,
    status: 'posted',
    status_transitions: { posted_at: ctx.now, void_at: null },
  });
  ctx.engine.create(ctx, 'treasury.transaction_entry', {
    ...common,
    effective_at: ctx.now,
    transaction: txn.id,
    type: flowType,
  });
  ctx.engine.update(ctx, `treasury.${flowType}`, flow, { status: 'succeeded', transaction: txn.id }, false);
}

export function registerTreasury(engine: Engine): void {
  for (const flowType of ['received_credit', 'received_debit'] as const) {
    engine.on(`treasury.${flowType}`, 'create', async (ctx) => {
      const flow = (await genericHandlers[ctx.op.kind](ctx)) as Obj;
      post(ctx, flow, flowType);
      return flow;
    });
  }
}
