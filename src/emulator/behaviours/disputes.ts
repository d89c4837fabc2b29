/**
 * Disputes and early fraud warnings, as Stripe's test cards raise them after a successful charge
 * (4000000000000259 `createDispute`, …2685, …1976 an inquiry, …5423 an early fraud warning), and the
 * dispute's life: evidence (staged or submitted), close (accepting the loss).
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid, missing } from '../errors.ts';
import type { Obj } from '../objects.ts';
import type { TestCard } from './cards.ts';

/** Stripe's dispute fee in the charge's currency's minor unit (15.00). */
const DISPUTE_FEE = 1500;

export function afterSuccessfulCharge(ctx: Ctx, charge: Obj, card: TestCard | undefined): void {
  if (card?.dispute) openDispute(ctx, charge, card.dispute);
  if (card?.earlyFraudWarning) {
    ctx.engine.create(ctx, 'radar.early_fraud_warning', {
      actionable: true,
      charge: charge.id,
      fraud_type: 'made_with_stolen_card',
      payment_intent: charge.payment_intent ?? undefined,
    });
  }
}

function openDispute(ctx: Ctx, charge: Obj, kind: NonNullable<TestCard['dispute']>): void {
  const inquiry = kind === 'inquiry';
  const id = ctx.engine.newId('dispute', ctx.livemode);
  const balanceTransactions: Obj[] = [];
  if (!inquiry) {
    // A chargeback withdraws the amount and the dispute fee at once.
    const bt = ctx.engine.create(
      ctx,
      'balance_transaction',
      {
        amount: -charge.amount,
        currency: charge.currency,
        fee: DISPUTE_FEE,
        fee_details: [
          {
            amount: DISPUTE_FEE,
            application: null,
            currency: charge.currency,
            description: 'Dispute fee',
            type: 'stripe_fee',
          },
        ],
        net: -charge.amount - DISPUTE_FEE,
        source: id,
        status: 'available',
        type: 'adjustment',
        reporting_category: 'dispute',
        available_on: ctx.now,
        description: `Chargeback withdrawal for ${charge.id}`,
        exchange_rate: null,
      },
      { emit: false },
    );
    balanceTransactions.push(ctx.engine.render(bt));
  }
  const card = charge.payment_method_details?.card;
  ctx.engine.create(ctx, 'dispute', {
    id,
    amount: charge.amount,
    balance_transactions: balanceTransactions,
    charge: charge.id,
    currency: charge.currency,
    evidence_details: {
      due_by: ctx.now + 7 * 86400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: inquiry,
    metadata: {},
    payment_intent: charge.payment_intent ?? null,
    payment_method_details: card
      ? { type: 'card', card: { brand: card.brand, network_reason_code: inquiry ? null : '10.4' } }
      : undefined,
    reason: inquiry ? 'general' : kind,
    status: inquiry ? 'warning_needs_response' : 'needs_response',
  });
  ctx.engine.update(ctx, 'charge', charge, { disputed: true }, false);
}

function disputeOfCharge(ctx: Ctx): Obj {
  const charge = ctx.engine.get(ctx, 'charge', ctx.pathValues.charge, 'charge');
  for (const d of ctx.ns.collection('dispute').newestFirst()) if (d.charge === charge.id) return d;
  throw missing('dispute', charge.id, 'charge');
}

const OPEN = new Set(['needs_response', 'warning_needs_response']);

function updateDispute(ctx: Ctx, d: Obj): Obj {
  if (!OPEN.has(d.status) && ctx.params.evidence !== undefined) {
    throw invalid(`This dispute is already ${d.status} and can no longer be updated with evidence.`);
  }
  const changes: Obj = {};
  if (ctx.params.evidence) {
    const evidence = { ...d.evidence };
    ctx.engine.shapes.apply(evidence, 'dispute_evidence', ctx.params.evidence as Obj);
    changes.evidence = evidence;
  }
  if (ctx.params.metadata) {
    const target = { metadata: d.metadata };
    ctx.engine.shapes.apply(target, 'dispute', { metadata: ctx.params.metadata });
    changes.metadata = target.metadata;
  }
  // `submit` defaults to true: evidence goes to the bank at once, unless staged with submit=false.
  if (ctx.params.evidence !== undefined && ctx.params.submit !== false) {
    changes.status = d.status === 'warning_needs_response' ? 'warning_under_review' : 'under_review';
    changes.evidence_details = {
      ...d.evidence_details,
      has_evidence: true,
      submission_count: (d.evidence_details?.submission_count ?? 0) + 1,
    };
  } else if (ctx.params.evidence !== undefined) {
    changes.evidence_details = { ...d.evidence_details, has_evidence: true };
  }
  ctx.engine.update(ctx, 'dispute', d, changes);
  return d;
}

function closeDispute(ctx: Ctx, d: Obj): Obj {
  if (!OPEN.has(d.status)) throw invalid(`This dispute is already ${d.status}.`);
  const status = d.status === 'warning_needs_response' ? 'warning_closed' : 'lost';
  ctx.engine.update(ctx, 'dispute', d, { status }, 'charge.dispute.closed');
  return d;
}

export function registerDisputes(engine: Engine): void {
  const byId = (ctx: Ctx) => ctx.engine.get(ctx, 'dispute', ctx.pathValues.dispute, 'dispute');
  engine.on('dispute', 'retrieve_charges_dispute', (ctx) => disputeOfCharge(ctx));
  engine.on('dispute', 'update_charges_dispute', (ctx) => updateDispute(ctx, disputeOfCharge(ctx)));
  engine.on('dispute', 'close_charges_dispute', (ctx) => closeDispute(ctx, disputeOfCharge(ctx)));
  engine.on('dispute', 'update', (ctx) => updateDispute(ctx, byId(ctx)));
  engine.on('dispute', 'close', (ctx) => closeDispute(ctx, byId(ctx)));
}

/** Radar reviews (opened by rules set in the Dashboard): approving one closes it. */
export function registerReviews(engine: Engine): void {
  engine.on('review', 'approve', (ctx) => {
    const review = ctx.engine.get(ctx, 'review', ctx.pathValues.review, 'review');
    if (!review.open) throw invalid(`Review ${review.id} is already closed.`);
    ctx.engine.update(ctx, 'review', review, { open: false, closed_reason: 'approved' }, 'review.closed');
    return review;
  });
}
