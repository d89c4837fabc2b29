/** One rule for which body params answer to the seeds' `XxxId` name: what `actions` lists is what a payload takes. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { actionInputs } from '../../src/catalog/describe.ts';
import { mapPayload } from '../../src/entities/payload.ts';
import { expectConnectorError } from '../support/errors.ts';

const catalog = loadCatalog();

describe('XxxId references', () => {
  it('every listed XxxId alias of an action body param is accepted, mapped onto the param', () => {
    let checked = 0;
    for (const action of catalog.actions()) {
      for (const input of actionInputs(catalog, action)) {
        const param = action.operation.params.find((p) => p.name === input.name);
        if (!param || !input.aliases?.length) continue;
        const mapped = mapPayload(catalog, [param], { [input.aliases[0]]: 'x_1' }, { skipRequired: true });
        expect(mapped, `${action.name} ${input.aliases[0]}`).toEqual({ [param.name]: 'x_1' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('a param that is not a reference does not answer to XxxId', () => {
    const op = catalog.operation(catalog.entity('Customer'), 'create')!;
    const error = expectConnectorError(
      () => mapPayload(catalog, op.params, { DescriptionId: 'x' }),
      'UNKNOWN_FIELD',
    );
    expect(error.details.field).toBe('DescriptionId');
    expect(
      mapPayload(catalog, catalog.operation(catalog.entity('Invoice'), 'create')!.params, {
        CustomerId: 'cus_1',
      }),
    ).toMatchObject({
      customer: 'cus_1',
    });
  });
});
