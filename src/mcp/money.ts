/**
 * Whether a write moves money, as the policy (policy.ts) asks it: the catalog says which writes
 * move, concede or commit funds (`StripeCatalog.moneyRule`, from its facts and the overrides'
 * money tables); here a rule that holds only for some inputs (`when`: a PaymentIntent created with
 * `confirm: true` charges at once) is checked against the call's payload.
 */
import { looseKey, WRITE_KINDS, type MoneyRule, type StripeCatalog } from '../catalog/index.ts';

export type { MoneyRule } from '../catalog/index.ts';

/** A write as the policy sees it. */
export interface WriteAccess {
  kind: 'write';
  entity: string;
  /** `create`, `update`, `delete`, or the verb of an action (its name without the entity). */
  operation: string;
  /** The action's canonical name, for messages. */
  action?: string;
  payload: Record<string, unknown>;
}

// `confirm: "true"` is as much a yes as `true` (form-style inputs); absent, null, false or '' is a no.
const isSet = (value: unknown) => value != null && value !== false && value !== 'false' && value !== '';

function sets(payload: Record<string, unknown>, inputs: string[]): boolean {
  const wanted = new Set(inputs.map(looseKey));
  return Object.entries(payload).some(([key, value]) => wanted.has(looseKey(key)) && isSet(value));
}

/** The rule a write falls under, or undefined when it moves no money. */
export function moneyRuleFor(catalog: StripeCatalog, access: WriteAccess): MoneyRule | undefined {
  const write = WRITE_KINDS.includes(access.operation)
    ? access.operation
    : (access.action ?? `${access.operation}${access.entity}`);
  const rule = catalog.moneyRule(access.entity, write);
  return rule && (!rule.when || sets(access.payload, rule.when)) ? rule : undefined;
}
