/**
 * Every hand-kept Stripe fact, in one place: what the OpenAPI spec (and so the generated catalog)
 * cannot say, or what the seeds add. Pure data; the catalog loads it (`StripeCatalog.overrides`)
 * and answers look-ups through it, so no other module keeps a table of its own.
 *
 * - names: ACTION_ALIASES, SELF_ID_ALIASES, REFERENCE_PARAMS (which body params the seeds name `XxxId`)
 * - payload rules: REMOVED_FIELDS, MAX_ITEMS, EXTRA_EMPTYABLE
 * - reads: LIST_DEFAULTS, WILDCARD_PARAMS, ARRAY_PARAM_MAX, SEARCH_FIELDS
 * - the seeds' actions and shapes: NAMED_ACTIONS, SEED_RULES
 * - money (what the MCP server's --allow-money guards): MONEY_WORDS, MONEY_WRITES, NOT_MONEY_WRITES
 */
import type { ParamSummary } from './describe.ts';
import type { OperationKind } from './types.ts';

// ── Names ────────────────────────────────────────────────────────────────────────────────────────

/** The seeds' action names that Verb + Entity does not produce. */
export const ACTION_ALIASES: Record<string, string> = {
  AttachPaymentMethodToCustomer: 'AttachPaymentMethod',
  DetachPaymentMethodFromCustomer: 'DetachPaymentMethod',
};

/** The seeds' extra names for an entity's own id (the Google seed misspells QuoteId once). */
export const SELF_ID_ALIASES: Record<string, string[]> = { Quote: ['SouQuoteIdrcePath'] };

/**
 * Body params that hold another object's id, which the seeds name `XxxId` (`CustomerId` →
 * `customer`). The one rule for both what `describe`/`actions` list and what a payload accepts.
 */
export const REFERENCE_PARAMS: ReadonlySet<string> = new Set([
  'customer',
  'payment_method',
  'invoice',
  'price',
  'product',
  'quote',
  'subscription',
  'charge',
  'payment_intent',
  'coupon',
  'source',
  'mandate',
]);

// ── Payload rules ────────────────────────────────────────────────────────────────────────────────

/** Entity → field → why it is gone and what to use instead (older docs, the Microsoft seed, offer it). */
export const REMOVED_FIELDS: Record<string, Record<string, string>> = {
  Product: {
    caption:
      'Stripe removed "caption" from products (it is not in API version 2023-08-16, which this connector uses); put the text in "description" instead',
  },
};

/** Entity → array field → the most items Stripe accepts (documented in prose only). */
export const MAX_ITEMS: Record<string, Record<string, number>> = {
  Product: { images: 8 },
};

/** Entity → operation kind → fields where '' unsets the value (the Microsoft seed: customer email). */
export const EXTRA_EMPTYABLE: Record<string, Partial<Record<string, string[]>>> = {
  Customer: { update: ['email', 'description', 'name', 'phone'] },
};

// ── Reads ────────────────────────────────────────────────────────────────────────────────────────

/** Resource id → Stripe list defaults that would silently hide rows (subscriptions omit canceled ones). */
export const LIST_DEFAULTS: Record<string, Record<string, string>> = {
  subscription: { status: 'all' },
};

/**
 * Resource id → list parameter → its wildcard (docs of List events: `type` takes `*`), and → the
 * most values an array list parameter takes (`types` takes up to 20 names). Not in the OpenAPI types.
 */
export const WILDCARD_PARAMS: Record<string, Record<string, string>> = { event: { type: '*' } };
export const ARRAY_PARAM_MAX: Record<string, Record<string, number>> = { event: { types: 20 } };

/**
 * Which fields each searchable resource can be searched by (Stripe docs: "Search query language",
 * query fields per resource); not in the OpenAPI spec.
 */
export type SearchFieldType = 'string' | 'number' | 'token';

/** resource id → query field → type (numbers allow ranges; strings allow `~` substring). */
export const SEARCH_FIELDS: Record<string, Record<string, SearchFieldType>> = {
  charge: {
    amount: 'number',
    'billing_details.address.postal_code': 'string',
    created: 'number',
    currency: 'token',
    customer: 'token',
    disputed: 'token',
    'payment_method_details.card.brand': 'token',
    'payment_method_details.card.exp_month': 'number',
    'payment_method_details.card.exp_year': 'number',
    'payment_method_details.card.fingerprint': 'token',
    'payment_method_details.card.last4': 'token',
    payment_intent: 'token',
    refunded: 'token',
    status: 'token',
  },
  customer: { created: 'number', email: 'string', name: 'string', phone: 'string' },
  invoice: {
    created: 'number',
    currency: 'token',
    customer: 'token',
    last_finalization_error_code: 'token',
    last_finalization_error_type: 'token',
    number: 'string',
    receipt_number: 'string',
    status: 'token',
    subscription: 'token',
    total: 'number',
  },
  payment_intent: {
    amount: 'number',
    created: 'number',
    currency: 'token',
    customer: 'token',
    status: 'token',
  },
  price: { active: 'token', currency: 'token', lookup_key: 'string', product: 'token', type: 'token' },
  product: { active: 'token', description: 'string', name: 'string', shippable: 'token', url: 'string' },
  subscription: { created: 'number', status: 'token' },
};

// ── The seeds' actions and output shapes ─────────────────────────────────────────────────────────

export type SeedRule =
  /** `{ "Success": "true", …the object flattened }` (Confirm/Capture/CancelPaymentIntent, FinalizeInvoice). */
  | 'object'
  /** `{ "Success": "true" }` only (Attach/Detach, FinalizeQuote, CancelQuote). */
  | 'success'
  /** `{ "InvoiceId": "in_…", "Success": "true" }` (AcceptQuote: accepting generates the invoice). */
  | 'invoice';

/** Canonical action name → rule; actions not listed use 'object'. */
export const SEED_RULES: Record<string, SeedRule> = {
  ConfirmPaymentIntent: 'object',
  CapturePaymentIntent: 'object',
  CancelPaymentIntent: 'object',
  FinalizeInvoice: 'object',
  AttachPaymentMethod: 'success',
  DetachPaymentMethod: 'success',
  FinalizeQuote: 'success',
  CancelQuote: 'success',
  AcceptQuote: 'invoice',
};

export interface NamedAction {
  name: string;
  entity: string;
  kind: Extract<OperationKind, 'create' | 'retrieve' | 'update'>;
  description: string;
  /** The seed's inputs (more fields of the entity are accepted too, checked by the catalog). */
  inputs: ParamSummary[];
  /** Inputs the seed requires beyond the catalog's own required params. */
  required?: string[];
  /** '' means "not set": the key is dropped (Create customer). */
  dropEmpty?: string[];
  /** '' unsets the value on Stripe (Update customer email). */
  unsetEmpty?: string[];
  /** Inputs given as one comma-separated string become arrays (the seed types images as string). */
  lists?: string[];
}

const str = (name: string, required = false): ParamSummary => ({ name, type: 'string', required });
const bool = (name: string): ParamSummary => ({ name, type: 'boolean', required: false });

const productInputs = (idRequired: boolean): ParamSummary[] => [
  str('id', idRequired),
  str('name', true),
  bool('active'),
  str('description'),
  { name: 'images', type: 'array<string>', required: false },
  bool('shippable'),
  str('url'),
];

export const NAMED_ACTIONS: NamedAction[] = [
  {
    name: 'CreateProduct',
    entity: 'Product',
    kind: 'create',
    description: 'Create a product (Microsoft seed): name required; images at most 8 URLs',
    inputs: productInputs(false),
    lists: ['images'],
  },
  {
    name: 'UpdateProduct',
    entity: 'Product',
    kind: 'update',
    description: 'Update a product by id (Microsoft seed): name required; images at most 8 URLs',
    inputs: productInputs(true),
    required: ['name'],
    lists: ['images'],
  },
  {
    name: 'CreateCustomer',
    entity: 'Customer',
    kind: 'create',
    description: 'Create a customer (Microsoft seed); an empty description or email is not set',
    inputs: [str('description'), str('email')],
    dropEmpty: ['description', 'email'],
  },
  {
    name: 'GetCustomer',
    entity: 'Customer',
    kind: 'retrieve',
    description: 'Get a customer by id (Microsoft seed)',
    inputs: [str('id', true)],
  },
  {
    name: 'UpdateCustomer',
    entity: 'Customer',
    kind: 'update',
    description: 'Update a customer by id (Microsoft seed); an empty email unsets it',
    inputs: [str('id', true), str('description'), str('email')],
    dropEmpty: ['description'],
    unsetEmpty: ['email'],
  },
];

// ── Money ────────────────────────────────────────────────────────────────────────────────────────
//
// A write that moves, concedes or commits funds needs --allow-money on an MCP server (mcp/policy.ts).
// The catalog derives most of it (catalog/money.ts): a create or POST action on an entity that holds
// an amount, and a POST action on one that points at such an entity, are money. These tables hold
// what that cannot see. They err on the side of asking: what may move money is in.

/**
 * Words that make an action money wherever they stand in its verb (the action's name without its
 * entity): `Refund` in RefundPaymentTerminalReader and in CreateUnlinkedRefundIssuingTransaction.
 * Nothing in NOT_MONEY_WRITES overrides them.
 */
export const MONEY_WORDS: readonly string[] = [
  'Capture',
  'Refund',
  'Pay',
  'Payment',
  'Charge',
  'Increment',
  'Fund',
  'Reverse',
  'Payout',
  'Transfer',
  'Topup',
  'Approve',
  'Accept',
  'Resume',
  'Close',
];

export interface MoneyWrite {
  entity: string;
  /** `create`, `update`, `delete`, or an action's canonical name. */
  writes: string[];
  /** Money only when the payload sets one of these inputs (a PaymentIntent created with `confirm`). */
  when?: string[];
  why: string;
}

/** Writes that move money which the derivation misses, or moves only with some inputs. */
export const MONEY_WRITES: MoneyWrite[] = [
  {
    entity: 'PaymentIntent',
    writes: ['create'],
    when: ['confirm'],
    why: 'a PaymentIntent created with confirm=true charges at once',
  },
  {
    entity: 'Invoice',
    writes: ['create', 'update'],
    when: ['auto_advance'],
    why: 'with auto_advance Stripe finalizes the invoice and collects it without another call',
  },
  {
    entity: 'Customer',
    writes: ['create', 'update'],
    when: ['balance'],
    why: "the balance is money the customer's next invoices take off or add on",
  },
  {
    entity: 'Subscription',
    writes: ['create'],
    why: 'the first invoice of a subscription is charged when it is created',
  },
  {
    entity: 'Subscription',
    writes: ['update'],
    when: ['items', 'proration_behavior', 'billing_cycle_anchor', 'trial_end'],
    why: 'changes what the subscription charges (prorations; always_invoice, billing_cycle_anchor=now or trial_end=now invoice at once)',
  },
  {
    entity: 'SubscriptionItem',
    writes: ['create'],
    why: 'adds a price the subscription charges',
  },
  {
    entity: 'SubscriptionItem',
    writes: ['update'],
    when: ['price', 'quantity', 'proration_behavior'],
    why: 'changes what the subscription charges',
  },
  {
    entity: 'SubscriptionSchedule',
    writes: ['create'],
    why: 'starts a subscription that is charged',
  },
  {
    entity: 'SubscriptionSchedule',
    writes: ['CancelSubscriptionSchedule'],
    why: 'cancelling an active schedule invoices pending usage and prorations at once (invoice_now defaults to true)',
  },
  { entity: 'UsageRecord', writes: ['create'], why: 'reports usage the customer is charged for' },
  {
    entity: 'TerminalReader',
    writes: ['ProcessPaymentIntentTerminalReader', 'PresentPaymentMethodTerminalReader'],
    why: 'charges the card on the reader',
  },
  {
    entity: 'TestHelpersTestClock',
    writes: ['AdvanceTestHelpersTestClock'],
    why: 'bills and charges every subscription on the clock up to the new time',
  },
];

/**
 * Writes of amount-holding entities that move nothing: the derivation would ask for them. Stopping
 * a movement before any money moves is not money (a write token may always stop one).
 */
export const NOT_MONEY_WRITES: MoneyWrite[] = [
  {
    entity: 'PaymentIntent',
    writes: ['CancelPaymentIntent'],
    why: 'cancelling releases the PaymentIntent uncharged',
  },
  ...[
    'Payout',
    'Topup',
    'TreasuryInboundTransfer',
    'TreasuryOutboundPayment',
    'TreasuryOutboundTransfer',
  ].map((entity) => ({ entity, writes: [`Cancel${entity}`], why: 'stops it before any money moves' })),
  {
    entity: 'Refund',
    writes: ['CancelRefund', 'ExpireRefund'],
    why: 'the refund does not happen: no money moves',
  },
  {
    entity: 'IssuingAuthorization',
    writes: ['DeclineIssuingAuthorization', 'ExpireIssuingAuthorization'],
    why: 'refuses or releases the card spend: nothing is spent',
  },
  {
    entity: 'CheckoutSession',
    writes: ['create', 'ExpireCheckoutSession'],
    why: 'a page where the customer decides to pay; expiring it ends it unpaid',
  },
  { entity: 'PaymentLink', writes: ['create'], why: 'a page where the customer decides to pay' },
  {
    entity: 'Quote',
    writes: ['create', 'FinalizeQuote', 'CancelQuote'],
    why: 'a quote is an offer: only accepting it (AcceptQuote) bills',
  },
  { entity: 'Invoice', writes: ['SendInvoice'], why: 'emails the invoice: the customer decides to pay it' },
  ...['Coupon', 'Price', 'Plan'].map((entity) => ({
    entity,
    writes: ['create'],
    why: 'a price or discount for later: it charges no one by itself',
  })),
  {
    entity: 'Source',
    writes: ['create', 'VerifySource'],
    why: 'a payment source: nothing is charged until a charge uses it',
  },
  { entity: 'TaxCalculation', writes: ['create'], why: 'computes tax: records and charges nothing' },
  {
    entity: 'IssuingDispute',
    writes: ['create'],
    why: 'a draft: SubmitIssuingDispute is what sends it',
  },
];
