/**
 * The size bound on one request. Servers and proxies in front of Stripe refuse long URLs (414,
 * 431); a GET carries every parameter in its query string, so the planner keeps each planned call
 * within REQUEST_MAX bytes of path + query and evaluates locally what does not fit.
 */
import qs from 'qs';

/** Bytes of path + query string a planned call may use (8 KB, the common URL limit of servers and proxies). */
export const REQUEST_MAX = 8 * 1024;

/** The bytes a GET of `path` with `params` takes, encoded as the gateway sends it. */
export function requestSize(path: string, params: Record<string, unknown>): number {
  return path.length + 1 + qs.stringify(params, { arrayFormat: 'indices', encodeValuesOnly: true }).length;
}

/** Text shortened for a message (a 20,000-character value is not repeated back in full). */
export const abbreviate = (text: string, max = 60) =>
  text.length > max ? `${text.slice(0, max - 3)}…` : text;
