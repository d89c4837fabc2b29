/** Discovery tools: which entities exist, what one looks like, which actions there are. */
import { z } from 'zod';
import { listActions, resolveAction, type ResolvedAction } from '../../actions/index.ts';
import type { StripeCatalog } from '../../catalog/index.ts';
import { describeEntity, operationKinds } from '../../catalog/describe.ts';
import { moneyRuleFor } from '../money.ts';
import { allows, type Access, type McpPolicy } from '../policy.ts';
import { defineTool, entityName, READ, READ_ONLY } from '../tool.ts';

/** Every entity with its operations and actions (the list_entities tool and the catalog resource). */
export function entityList(catalog: StripeCatalog) {
  return catalog
    .entities()
    .filter((e) => !e.deletedOf)
    .map((e) => ({
      entity: e.entity,
      resource: e.id,
      operations: operationKinds(e),
      searchable: Boolean(e.searchable),
      actions: catalog
        .actions()
        .filter((a) => a.entity === e)
        .map((a) => a.name),
    }));
}

/** What running an action would do, for the policy: GETs (PdfQuote, UpcomingInvoice) are reads. */
export function actionAccess(resolved: ResolvedAction, payload: Record<string, unknown>): Access {
  if (resolved.kind === 'named') {
    const { action } = resolved;
    if (action.kind === 'retrieve') return READ;
    return { kind: 'write', entity: action.entity, operation: action.kind, action: action.name, payload };
  }
  const { action } = resolved;
  if (action.operation.method === 'GET') return READ;
  const entity = action.entity.entity;
  // Action names are Verb + Entity: the verb is the operation (the policy's messages use the name).
  const verb = action.name.endsWith(entity) ? action.name.slice(0, -entity.length) : action.name;
  return { kind: 'write', entity, operation: verb, action: action.name, payload };
}

/** Every action with its inputs and what this server lets an agent do with it. */
export function actionList(catalog: StripeCatalog, policy: McpPolicy, entity?: string) {
  const only = entity ? catalog.entity(entity).entity : undefined;
  return listActions({ catalog })
    .filter((a) => !only || a.entity === only)
    .map((a) => {
      const access = actionAccess(resolveAction({ catalog }, a.name), {});
      const kind = access.kind === 'read' ? 'read' : moneyRuleFor(catalog, access) ? 'moves money' : 'write';
      return { ...a, access: kind, allowed: allows(policy, access, catalog) };
    });
}

export function catalogTools(catalog: StripeCatalog, policy: McpPolicy) {
  return [
    defineTool({
      name: 'list_entities',
      title: 'List Stripe entities',
      description:
        'Every Stripe entity this connector knows (Customer, PaymentIntent, Invoice, …) with its operations (list, retrieve, create, update, delete, search) and its actions.',
      input: z.strictObject({}),
      annotations: READ_ONLY,
      access: () => READ,
      run: async () => ({ entities: entityList(catalog) }),
    }),
    defineTool({
      name: 'describe_entity',
      title: 'Describe an entity',
      description:
        "An entity's fields (name, type, nullable, enum values, expandable), each operation's parameters (name, type, required, enum) and its actions with their inputs. Read it before writing a query or a payload.",
      input: z.strictObject({ entity: entityName(catalog) }),
      annotations: READ_ONLY,
      access: () => READ,
      run: async ({ entity }) => describeEntity(catalog, catalog.entity(entity)),
    }),
    defineTool({
      name: 'list_actions',
      title: 'List actions',
      description:
        "Every action (Stripe's custom methods such as CapturePaymentIntent, FinalizeInvoice, and named actions such as CreateCustomer) with its entity, HTTP call and inputs (name, type, required, enum, aliases); `access` says whether it reads, writes or moves money, `allowed` whether this server lets you run it. Run one with run_action.",
      input: z.strictObject({
        entity: entityName(catalog, 'only the actions of this entity').optional(),
      }),
      annotations: READ_ONLY,
      access: () => READ,
      run: async ({ entity }) => ({ actions: actionList(catalog, policy, entity) }),
    }),
  ];
}
