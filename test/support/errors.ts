/** The one way tests expect a ConnectorError: from a call that throws or a promise that rejects. */
import { expect } from 'vitest';
import { ConnectorError, type ErrorCode } from '../../src/errors.ts';

/** The ConnectorError `fn` throws (fails the test if it returns or throws anything else). */
export function expectConnectorError(fn: () => unknown, code?: ErrorCode): ConnectorError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return checked(caught, code);
}

/** The ConnectorError a promise rejects with (fails the test if it resolves or rejects otherwise). */
export async function rejection(promise: Promise<unknown>, code?: ErrorCode): Promise<ConnectorError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  return checked(caught, code);
}

function checked(caught: unknown, code: ErrorCode | undefined): ConnectorError {
  if (caught === undefined) throw new Error('expected a ConnectorError, but the call succeeded');
  if (!(caught instanceof ConnectorError)) throw caught;
  if (code) expect(caught.code, caught.message).toBe(code);
  return caught;
}
