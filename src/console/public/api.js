/* global sessionStorage, fetch, Headers, URLSearchParams, TextDecoderStream */
/**
 * The API client. The token lives in sessionStorage (gone with the tab) and goes out only as an
 * Authorization header: never in a URL, a query string or a log line.
 */
const TOKEN_KEY = 'stripe-connector.token';
const CONNECTION_KEY = 'stripe-connector.connection';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  get connection() {
    return sessionStorage.getItem(CONNECTION_KEY);
  },
  set connection(value) {
    if (value) sessionStorage.setItem(CONNECTION_KEY, value);
    else sessionStorage.removeItem(CONNECTION_KEY);
  },
};

/** The server's error `{ error: { code, message, field?, position?, request_id } }` as an Error. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = body?.error ?? {};
    super(e.message ?? `the server answered ${status}`);
    this.status = status;
    this.code = e.code ?? `HTTP_${status}`;
    this.field = e.field;
    this.position = e.position;
    this.requestId = e.request_id;
  }
}

/** A request to the API; JSON in and out. `raw` returns the Response (streams, files). */
export async function api(path, { method = 'GET', body, query, raw = false, signal } = {}) {
  const headers = new Headers({ accept: 'application/json' });
  if (session.token) headers.set('authorization', `Bearer ${session.token}`);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const qs = query
    ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''))
    : null;
  const url = qs && [...qs].length ? `${path}?${qs}` : path;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!res.ok) {
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    throw new ApiError(res.status, parsed);
  }
  if (raw) return res;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

export const enc = encodeURIComponent;

/** The path of the current connection's routes. */
export function connPath(rest = '') {
  return `/api/connections/${enc(session.connection ?? '')}${rest}`;
}

/**
 * Reads a text/event-stream from a fetch body (EventSource cannot send an Authorization header, and
 * the token must not go into the URL). Calls onEvent({ event, data }) per event until aborted.
 */
export async function readEvents(path, onEvent, signal) {
  const res = await api(path, { raw: true, signal });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const event = { event: 'message', data: '' };
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event.event = line.slice(6).trim();
        else if (line.startsWith('data:'))
          event.data += (event.data ? '\n' : '') + line.slice(5).replace(/^ /, '');
      }
      if (event.data || event.event !== 'message') onEvent(event);
    }
  }
}
