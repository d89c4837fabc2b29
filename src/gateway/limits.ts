/**
 * The last guard before a request leaves: servers and balancers refuse long URLs (HTTP 414/431,
 * often with an HTML page) and large bodies, so a request above these bounds fails here, before it
 * is sent, with a code that says so. The query planner keeps its requests below MAX_URL_BYTES.
 */
import qs from 'qs';
import { ConnectorError } from '../errors.ts';

/** Path plus query string, in bytes. Well below the 16 KiB many servers take, like Stripe's SDKs. */
export const MAX_URL_BYTES = 8192;

/** A form-encoded POST body, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Stripe's form encoding: brackets for nesting, indices for arrays. */
export function encodeParams(params: Record<string, unknown>): string {
  return qs.stringify(params, { arrayFormat: 'indices', encodeValuesOnly: true });
}

export function checkRequestSize(
  method: string,
  path: string,
  body: Record<string, unknown> | undefined,
): void {
  const urlBytes = Buffer.byteLength(path);
  if (urlBytes > MAX_URL_BYTES) {
    throw new ConnectorError(
      'REQUEST_TOO_LARGE',
      `${method} ${path.split('?')[0]}: the URL would be ${urlBytes} bytes; the most this connector sends is ${MAX_URL_BYTES} (narrow the filter or split it)`,
      { method, path: path.split('?')[0], urlBytes, maxUrlBytes: MAX_URL_BYTES },
    );
  }
  if (!body) return;
  const bodyBytes = Buffer.byteLength(encodeParams(body));
  if (bodyBytes > MAX_BODY_BYTES) {
    throw new ConnectorError(
      'REQUEST_TOO_LARGE',
      `${method} ${path}: the body would be ${bodyBytes} bytes; the most this connector sends is ${MAX_BODY_BYTES}`,
      { method, path, bodyBytes, maxBodyBytes: MAX_BODY_BYTES },
    );
  }
}
