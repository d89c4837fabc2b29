/**
 * Reference data every Stripe account can read but nobody creates through the API: country specs,
 * exchange rates, product tax codes and report types. A small, fixed subset; exchange rates are
 * static figures, not market data.
 */
import type { Ctx, Engine } from '../engine.ts';
import { genericHandlers } from '../generic.ts';
import type { Obj } from '../objects.ts';

const COUNTRIES: Record<string, { currency: string; bank: string[] }> = {
  US: { currency: 'usd', bank: ['usd'] },
  CA: { currency: 'cad', bank: ['cad', 'usd'] },
  GB: { currency: 'gbp', bank: ['gbp', 'eur'] },
  DE: { currency: 'eur', bank: ['eur'] },
  FR: { currency: 'eur', bank: ['eur'] },
  AU: { currency: 'aud', bank: ['aud'] },
};

/** Units of each currency per US dollar (static). */
const PER_USD: Record<string, number> = { usd: 1, eur: 0.92, gbp: 0.79, cad: 1.36, aud: 1.52, jpy: 149.5 };

const TAX_CODES: Array<[string, string, string]> = [
  ['txcd_00000000', 'Nontaxable', 'Any nontaxable good or service.'],
  [
    'txcd_10000000',
    'General - Electronically Supplied Services',
    'A digital service provided mainly through the internet with minimal human involvement.',
  ],
  ['txcd_20030000', 'General - Services', 'General category for services.'],
  ['txcd_92010001', 'Shipping', 'Charges for delivery of tangible personal property.'],
  ['txcd_99999999', 'General - Tangible Goods', 'A physical good that can be moved or touched.'],
];

const REPORT_TYPES: Array<[string, string]> = [
  ['balance.summary.1', 'Balance summary'],
  ['balance_change_from_activity.itemized.3', 'Balance change from activity'],
  ['payouts.itemized.3', 'Payouts'],
  ['payout_reconciliation.summary.1', 'Payout reconciliation summary'],
];

function referenceObjects(ctx: Ctx, resourceId: string): Obj[] {
  const currencies = Object.keys(PER_USD);
  switch (resourceId) {
    case 'country_spec':
      return Object.entries(COUNTRIES).map(([id, c]) => ({
        id,
        object: 'country_spec',
        default_currency: c.currency,
        supported_bank_account_currencies: Object.fromEntries(c.bank.map((cur) => [cur, [id]])),
        supported_payment_currencies: currencies,
        supported_payment_methods: ['card', 'stripe'],
        supported_transfer_countries: [id],
      }));
    case 'exchange_rate':
      return currencies.map((base) => ({
        id: base,
        object: 'exchange_rate',
        rates: Object.fromEntries(
          currencies
            .filter((c) => c !== base)
            .map((c) => [c, Math.round((PER_USD[c] / PER_USD[base]) * 1e6) / 1e6]),
        ),
      }));
    case 'tax_code':
      return TAX_CODES.map(([id, name, description]) => ({ id, object: 'tax_code', name, description }));
    case 'reporting.report_type': {
      const today = Math.floor(ctx.now / 86400) * 86400;
      return REPORT_TYPES.map(([id, name]) => ({
        id,
        object: 'reporting.report_type',
        name,
        version: Number(id.split('.').pop()),
        data_available_start: today - 365 * 86400,
        data_available_end: today,
        updated: today,
        livemode: ctx.livemode,
        default_columns: null,
      }));
    }
    default:
      return [];
  }
}

/** Puts the reference objects of a resource into the namespace the first time they are read. */
function ensure(ctx: Ctx, resourceId: string): void {
  const key = `reference:${resourceId}`;
  if (ctx.ns.side.get(key)) return;
  ctx.ns.side.set(key, true);
  const collection = ctx.ns.collection(resourceId);
  const fresh = referenceObjects(ctx, resourceId).filter((o) => !collection.has(o.id));
  collection.insertMany(fresh.reverse());
}

export function registerReference(engine: Engine): void {
  for (const resourceId of ['country_spec', 'exchange_rate', 'tax_code', 'reporting.report_type']) {
    for (const op of engine.catalog.raw.resources[resourceId]?.operations ?? []) {
      engine.on(resourceId, op.name, (ctx) => {
        ensure(ctx, resourceId);
        return genericHandlers[op.kind](ctx);
      });
    }
  }
}
