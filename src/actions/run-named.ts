/** Runs a Microsoft-seed named action through the entity engine, applying its empty-value rules. */
import { findLoose } from '../catalog/index.ts';
import type { ConnectorContext } from '../context.ts';
import { ConnectorError } from '../errors.ts';
import { createEntity, getEntity, updateEntity } from '../entities/index.ts';
import type { Payload } from '../entities/payload.ts';
import type { Shape } from '../entities/shape.ts';
import type { NamedAction } from '../catalog/index.ts';

const matches = (names: string[] | undefined, key: string) => findLoose(names ?? [], key) !== undefined;

/** The payload with the action's rules applied, and its id taken out. */
function prepare(action: NamedAction, payload: Payload): { id?: string; body: Payload } {
  const body: Payload = {};
  let id: string | undefined;
  for (const [key, value] of Object.entries(payload ?? {})) {
    if (action.kind !== 'create' && matches(['id', `${action.entity}Id`, 'EntityId'], key)) {
      if (typeof value !== 'string' || !value) {
        throw new ConnectorError('INVALID_VALUE', `"${key}" must be a non-empty id string`, { field: key });
      }
      id = value;
    } else if (value === '' && matches(action.dropEmpty, key)) {
      continue;
    } else if (typeof value === 'string' && matches(action.lists, key)) {
      body[key] = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else body[key] = value;
  }
  for (const name of action.required ?? []) {
    if (findLoose(Object.keys(body), name) === undefined) {
      throw new ConnectorError('MISSING_FIELD', `missing required field "${name}" for ${action.name}`, {
        field: name,
        missing: [name],
      });
    }
  }
  if (action.kind !== 'create' && !id) {
    throw new ConnectorError('MISSING_FIELD', `missing "id" for ${action.name}`, {
      field: 'id',
      missing: ['id'],
    });
  }
  return { id, body };
}

export async function runNamedAction(
  ctx: ConnectorContext,
  action: NamedAction,
  payload: Payload,
  opts: { shape: Shape; idempotencyKey?: string; stripeAccount?: string },
): Promise<unknown> {
  const { id, body } = prepare(action, payload);
  // The Microsoft connector answers with the object itself; `seed` means the same here.
  const shape = opts.shape === 'seed' ? 'native' : opts.shape;
  const common = { shape, idempotencyKey: opts.idempotencyKey, stripeAccount: opts.stripeAccount };
  switch (action.kind) {
    case 'create':
      return createEntity(ctx, action.entity, body, common);
    case 'retrieve':
      if (Object.keys(body).length) {
        throw new ConnectorError('UNKNOWN_FIELD', `${action.name} takes only "id"`, {
          field: Object.keys(body)[0],
          allowed: ['id'],
        });
      }
      return getEntity(ctx, action.entity, id as string, common);
    case 'update':
      return updateEntity(ctx, action.entity, id as string, body, {
        ...common,
        allowEmpty: action.unsetEmpty,
      });
  }
}
