/**
 * Which writes move, concede or commit funds (what the MCP server's --allow-money guards), answered
 * from the catalog's facts and the overrides' money tables, first match wins:
 *   1. MONEY_WRITES lists the write (perhaps only when some inputs are set);
 *   2. an action whose verb holds one of MONEY_WORDS (Refund, Capture, Pay, …);
 *   3. NOT_MONEY_WRITES lists the write as safe;
 *   4. derived: a create of an entity that holds an amount (a `currency` and an integer field whose
 *      name says amount: Charge, Payout, CreditNote, …), or a POST action of one that holds an
 *      amount or points at one through an expandable field (a Review at its charge, a Subscription
 *      at its latest invoice): FinalizeInvoice, CloseDispute, ResumeSubscription, ApproveReview.
 * An entity or action the catalog does not know is asked for: the table errs on the side of asking.
 */
import type { Entity, StripeCatalog } from './index.ts';
import { MONEY_WORDS, MONEY_WRITES, NOT_MONEY_WRITES, type MoneyWrite } from './overrides.ts';
import type { TypeSpec } from './types.ts';

export interface MoneyRule {
  /** Money only when the payload sets one of these inputs; absent: always. */
  when?: string[];
  why: string;
}

export const WRITE_KINDS: readonly string[] = ['create', 'update', 'delete'];

const listed = (table: MoneyWrite[], entity: Entity, write: string) =>
  table.find((w) => w.entity === entity.entity && w.writes.includes(write));

/** The words of an action's verb: `CreateUnlinkedRefund` → Create, Unlinked, Refund. */
function verbWords(actionName: string, entity: Entity): string[] {
  const verb = actionName.endsWith(entity.entity) ? actionName.slice(0, -entity.entity.length) : actionName;
  return verb.match(/[A-Z][a-z0-9]*/g) ?? [];
}

function holdsAmount(schema: TypeSpec | undefined): boolean {
  const fields = schema?.fields ?? {};
  return (
    'currency' in fields &&
    Object.entries(fields).some(([name, spec]) => /amount/.test(name) && spec.type === 'integer')
  );
}

/** The resources a field can be expanded to (directly or as one of its alternatives). */
const expandsTo = (spec: TypeSpec): string[] => [
  ...(spec.expandable ?? []),
  ...(spec.of ?? []).flatMap((alternative) => alternative.expandable ?? []),
];

function pointsAtAmount(catalog: StripeCatalog, entity: Entity): boolean {
  return Object.values(entity.schema?.fields ?? {}).some((spec) =>
    expandsTo(spec).some((resource) => holdsAmount(catalog.schema(resource))),
  );
}

const aOrAn = (name: string) => `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;

function derived(catalog: StripeCatalog, entity: Entity, write: string): MoneyRule | undefined {
  if (write === 'create' && holdsAmount(entity.schema))
    return { why: `${aOrAn(entity.entity)} holds an amount: creating one moves or commits it` };
  if (WRITE_KINDS.includes(write)) return undefined;
  const operation = catalog.findAction(write)?.operation;
  if (operation?.method !== 'POST') return undefined;
  if (holdsAmount(entity.schema))
    return { why: `it acts on the amount of ${aOrAn(entity.entity)}: it may move, concede or commit it` };
  if (pointsAtAmount(catalog, entity))
    return { why: `it acts on the money ${aOrAn(entity.entity)} is for: it may move, concede or commit it` };
  return undefined;
}

/**
 * The money rule of a write, or undefined when it moves no money. `write` is create, update,
 * delete or an action's canonical name (CapturePaymentIntent).
 */
export function moneyRuleOf(
  catalog: StripeCatalog,
  entityName: string,
  write: string,
): MoneyRule | undefined {
  const entity = catalog.findEntity(entityName);
  if (!entity) return { why: `"${entityName}" is not an entity this catalog knows, so it is asked for` };
  const isAction = !WRITE_KINDS.includes(write);
  const action = isAction ? catalog.findAction(write) : undefined;
  if (isAction && !action)
    return { why: `"${write}" is not an action this catalog knows, so it is asked for` };
  const name = action?.name ?? write;
  const money = listed(MONEY_WRITES, entity, name);
  if (money) return { when: money.when, why: money.why };
  const word = action && verbWords(action.name, entity).find((w) => MONEY_WORDS.includes(w));
  if (word) return { why: `its verb (${word}) moves, concedes or commits funds` };
  if (listed(NOT_MONEY_WRITES, entity, name)) return undefined;
  return derived(catalog, entity, name);
}
