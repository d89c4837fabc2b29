/** get / create / update / delete on any entity, through the entity engine (errors before any call). */
import { z } from 'zod';
import type { StripeCatalog } from '../../catalog/index.ts';
import { createEntity, deleteEntity, getEntity, updateEntity } from '../../entities/index.ts';
import type { Access } from '../policy.ts';
import {
  defineTool,
  entityName,
  idempotencyInput,
  parentsInput,
  payloadInput,
  READ,
  READ_ONLY,
} from '../tool.ts';

const WRITE_HINTS = { readOnlyHint: false, destructiveHint: false, openWorldHint: true };
const PAYLOAD =
  'fields as JSON: {"email": "jane@example.com", "metadata": {"plan": "pro"}}; names as in describe_entity (PascalCase also accepted: Email)';

export function entityTools(catalog: StripeCatalog) {
  const id = z.string().min(1).meta({ description: 'the object id (cus_…, pi_…)' });
  const writeInputs = {
    payload: payloadInput(PAYLOAD),
    parents: parentsInput,
    idempotency_key: idempotencyInput,
  };
  const writeAccess = (
    args: { entity: string; payload: Record<string, unknown> },
    operation: string,
  ): Access => ({
    kind: 'write',
    entity: catalog.entity(args.entity).entity,
    operation,
    payload: args.payload,
  });
  return [
    defineTool({
      name: 'get',
      title: 'Get one object',
      description: 'One object of an entity by its id, as Stripe returns it (client secrets redacted).',
      input: z.strictObject({
        entity: entityName(catalog),
        id,
        expand: z.array(z.string()).optional().meta({ description: 'fields to expand: ["customer"]' }),
        parents: parentsInput,
      }),
      annotations: READ_ONLY,
      access: () => READ,
      run: ({ entity, id, expand, parents }, { ctx }) => getEntity(ctx, entity, id, { expand, parents }),
    }),
    defineTool({
      name: 'create',
      title: 'Create an object',
      description: `Create an object of an entity. A write: needs a server started with --allow-writes (and --allow-money for a Charge, Refund, Payout, Transfer, a confirmed PaymentIntent, …). The result carries the idempotency key used.`,
      input: z.strictObject({ entity: entityName(catalog), ...writeInputs }),
      annotations: WRITE_HINTS,
      access: (args) => writeAccess(args, 'create'),
      run: ({ entity, payload, parents }, { ctx, idempotencyKey }) =>
        createEntity(ctx, entity, payload, { parents, idempotencyKey }),
    }),
    defineTool({
      name: 'update',
      title: 'Update an object',
      description:
        "Update fields of an object by its id. A write: needs --allow-writes (and --allow-money where it changes what is charged: a Subscription's items, an Invoice's auto_advance, a Customer's balance, …). The result carries the idempotency key used.",
      input: z.strictObject({ entity: entityName(catalog), id, ...writeInputs }),
      annotations: WRITE_HINTS,
      access: (args) => writeAccess(args, 'update'),
      run: ({ entity, id, payload, parents }, { ctx, idempotencyKey }) =>
        updateEntity(ctx, entity, id, payload, { parents, idempotencyKey }),
    }),
    defineTool({
      name: 'delete',
      title: 'Delete an object',
      description:
        'Delete an object by its id (a DELETE, idempotent by itself: Stripe takes no idempotency key for it). A write: needs --allow-writes.',
      input: z.strictObject({ entity: entityName(catalog), id, parents: parentsInput }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      access: ({ entity }) => writeAccess({ entity, payload: {} }, 'delete'),
      run: ({ entity, id, parents }, { ctx }) => deleteEntity(ctx, entity, id, { parents }),
    }),
  ];
}
