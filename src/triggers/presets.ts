/**
 * The Microsoft seed's four triggers as data (MISSION.md §3), with the seed's output fields.
 *
 * - Fields the API has renamed are mapped, `seed name=API name`: the customer's `account_balance`
 *   is `balance` since API 2019-10-17.
 * - Fields the API has removed with no successor come out as null so the output keeps the seed's
 *   keys: the charge's `order` (the Orders API was removed in 2022; a charge no longer names one).
 * - `order.created` is still an event type in API 2023-08-16 even though the Orders API that
 *   produced it is gone, so `order-added` only fires for accounts (or emulator demos) that still
 *   emit it.
 */
import { ConnectorError } from '../errors.ts';
import type { TriggerInput } from './definition.ts';

export type PresetName = 'charge-added' | 'customer-added' | 'invoiceitem-added' | 'order-added';
export type Preset = Pick<TriggerInput, 'source' | 'events' | 'entity' | 'fields'>;

const CHARGE_FIELDS = [
  'id',
  'amount',
  'amount_refunded',
  'captured',
  'created',
  'currency',
  'customer',
  'description',
  'failure_code',
  'failure_message',
  'invoice',
  'order',
  'outcome.network_status',
  'outcome.reason',
  'outcome.risk_level',
  'outcome.seller_message',
  'outcome.type',
  'paid',
  'receipt_email',
  'receipt_number',
  'refunded',
  'statement_descriptor',
  'status',
];

const CUSTOMER_FIELDS = [
  'id',
  'account_balance=balance',
  'created',
  'currency',
  'delinquent',
  'description',
  'discount.customer',
  'discount.end',
  'discount.start',
  'discount.subscription',
  'discount.coupon.id',
  'discount.coupon.name',
  'discount.coupon.duration',
  'discount.coupon.percent_off',
  'discount.coupon.amount_off',
  'email',
];

const INVOICEITEM_FIELDS = [
  'id',
  'amount',
  'currency',
  'customer',
  'date',
  'description',
  'discountable',
  'invoice',
  'proration',
  'quantity',
  'subscription',
];

/** The Orders API was removed in 2022: an `order.created` object holds what its API version had. */
const ORDER_FIELDS = [
  'id',
  'amount',
  'amount_returned',
  'charge',
  'created',
  'currency',
  'customer',
  'email',
  'selected_shipping_method',
  'status',
  'updated',
];

export const PRESETS: Record<PresetName, Preset> = {
  'charge-added': {
    source: 'events',
    events: ['charge.succeeded', 'charge.failed', 'charge.pending'],
    fields: CHARGE_FIELDS,
  },
  'customer-added': { source: 'events', events: ['customer.created'], fields: CUSTOMER_FIELDS },
  'invoiceitem-added': { source: 'events', events: ['invoiceitem.created'], fields: INVOICEITEM_FIELDS },
  'order-added': { source: 'events', events: ['order.created'], fields: ORDER_FIELDS },
};

/** The charge preset the way Microsoft's connector does it: polling the charges list by `created`. */
export const CHARGE_ADDED_BY_OBJECTS: Preset = { source: 'objects', entity: 'Charge', fields: CHARGE_FIELDS };

/**
 * A definition from a preset and the user's own keys (theirs win). A `source` of `webhook` keeps
 * the preset's event types; `objects` on `charge-added` switches to the object poller.
 */
export function fromPreset(preset: string, input: Partial<TriggerInput>): Record<string, unknown> {
  const base = PRESETS[preset as PresetName];
  if (!base) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `preset: unknown preset "${preset}" (one of ${Object.keys(PRESETS).join(', ')})`,
      { keys: ['preset'] },
    );
  }
  const chosen = preset === 'charge-added' && input.source === 'objects' ? CHARGE_ADDED_BY_OBJECTS : base;
  return { ...chosen, ...input, preset };
}
