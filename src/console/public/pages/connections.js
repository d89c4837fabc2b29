/**
 * Connections: each with its mode and account (from its test call), the gateway's counters (calls,
 * failures, retries, throttle waits from /metrics), the errors this console saw from it, a test
 * button; and a form (or a pasted connection file) to add one. Secrets are references only
 * (env:NAME or file:path): the page refuses anything else and never shows a resolved key.
 */
import { api, enc, session } from '../api.js';
import { announce, dataTable, field, fill, h, onSubmit } from '../dom.js';

const REFERENCE = /^(env|file):\S+$/;
const SECRET_FIELDS = ['apiKey', 'webhookSecret'];
const recentErrors = new Map();

function remember(name, error) {
  const list = recentErrors.get(name) ?? [];
  list.unshift({ at: new Date().toLocaleTimeString(), code: error.code, message: error.message });
  recentErrors.set(name, list.slice(0, 5));
}

/** Per-connection counters from the Prometheus text: { name: { metric: value } }. */
function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(stripe_[a-z_]+)\{[^}]*connection="([^"]+)"[^}]*\}\s+([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] === 'stripe_retries_by_reason_total') continue;
    (out[m[2]] ??= {})[m[1]] = Number(m[3]);
  }
  return out;
}

function badge(text, kind) {
  return h('span', { class: `badge ${kind}` }, text);
}

async function testInto(name, cell) {
  fill(cell, h('span', { class: 'muted' }, 'testing…'));
  try {
    const t = await api(`/api/connections/${enc(name)}/test`);
    fill(
      cell,
      badge(t.mode, t.mode === 'live' ? 'live' : 'test'),
      ' ',
      badge(t.account, 'account'),
      ' ',
      h('span', { class: 'muted' }, t.apiVersion),
    );
  } catch (error) {
    remember(name, error);
    fill(cell, badge('failed', 'bad'), ' ', h('span', {}, error.code));
  }
}

function counters(m = {}) {
  const n = (k) => m[k] ?? 0;
  return `${n('stripe_requests_total')} calls · ${n('stripe_requests_failed_total')} failed · ${n('stripe_retries_total')} retries · ${n('stripe_throttle_waits_total')} throttle waits`;
}

const COLUMNS = ['Name', 'Mode and account', 'Endpoint', 'Traffic and throttle', 'Recent errors', 'Test'];

/** One cell of a connection's row; the mode and account cell fills in when its test answers. */
function connectionCell(c, column, metrics) {
  const def = c.definition ?? {};
  const errors = recentErrors.get(c.name) ?? [];
  switch (column) {
    case 'Name':
      return c.name;
    case 'Mode and account': {
      const status = h('span', { 'data-status': c.name });
      testInto(c.name, status);
      return status;
    }
    case 'Endpoint':
      return [
        def.baseUrl ?? 'api.stripe.com',
        h('div', { class: 'muted' }, `key ${def.apiKey ?? '—'} · ${c.origin}`),
      ];
    case 'Traffic and throttle':
      return [
        counters(metrics[c.name]),
        def.throttle ? h('div', { class: 'muted' }, `throttle ${JSON.stringify(def.throttle)}`) : null,
      ];
    case 'Recent errors':
      return errors.length
        ? h(
            'ul',
            { class: 'plain' },
            errors.map((e) => h('li', {}, `${e.at} ${e.code}: ${e.message}`)),
          )
        : h('span', { class: 'muted' }, 'none seen');
    default:
      return h(
        'button',
        {
          type: 'button',
          'aria-label': `Test ${c.name}`,
          onclick: (e) => testInto(c.name, e.target.closest('tr').querySelector('[data-status]')),
        },
        'Test',
      );
  }
}

/** A pasted file: JSON, or flat `key: value` lines (the YAML a connection file usually is). */
function parseFile(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  const out = {};
  for (const line of trimmed.split('\n')) {
    const m = /^\s*([A-Za-z_][\w]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith('#')) out[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
  }
  return out;
}

/** Refuses a literal secret before it leaves the browser; the server checks again. */
export function checkSecrets(definition) {
  for (const key of SECRET_FIELDS) {
    const v = definition[key];
    if (v !== undefined && !REFERENCE.test(String(v)))
      return {
        code: 'SECRET_NOT_REFERENCE',
        message: `${key} must be a reference (env:NAME or file:path), not the secret itself`,
        field: key,
      };
  }
  return null;
}

function addForm(done) {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9_.-]+' });
  const apiKey = h('input', {
    name: 'apiKey',
    required: true,
    autocomplete: 'off',
    placeholder: 'env:STRIPE_API_KEY',
  });
  const baseUrl = h('input', {
    name: 'baseUrl',
    type: 'url',
    autocomplete: 'off',
    placeholder: 'https://api.stripe.com',
  });
  const pasted = h('textarea', {
    name: 'file',
    rows: 4,
    spellcheck: 'false',
    placeholder: '{"name": "prod", "apiKey": "env:STRIPE_KEY"} or name: prod',
  });
  const problem = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Add a connection'),
    h(
      'div',
      { class: 'grid' },
      field('Name', name),
      field('API key reference', apiKey, 'env:NAME or file:path — the key itself is never sent'),
      field('Base URL (optional)', baseUrl),
    ),
    field('Or paste a connection file (JSON or key: value lines)', pasted),
    problem,
    h('button', { type: 'submit', class: 'primary' }, 'Add connection'),
  );
  onSubmit(form, problem, async () => {
    const definition = pasted.value.trim()
      ? parseFile(pasted.value)
      : {
          name: name.value.trim(),
          apiKey: apiKey.value.trim(),
          ...(baseUrl.value.trim() ? { baseUrl: baseUrl.value.trim() } : {}),
        };
    const refused = checkSecrets(definition);
    if (refused) {
      apiKey.setAttribute('aria-invalid', 'true');
      throw refused;
    }
    apiKey.removeAttribute('aria-invalid');
    const created = await api('/api/connections', { method: 'POST', body: definition });
    form.reset();
    session.connection ||= created.name;
    announce(`Connection ${created.name} added`);
    await done();
  });
  // A pasted file is the whole definition: the single fields are not needed then.
  pasted.addEventListener('input', () => {
    for (const el of [name, apiKey]) el.required = !pasted.value.trim();
  });
  return form;
}

export async function connectionsPage(main, { reloadConnections }) {
  const list = h('div', { class: 'scroll' });
  const render = async (reloadShell = true) => {
    const [{ data }, metricsText] = await Promise.all([
      api('/api/connections'),
      api('/metrics').catch(() => ''),
    ]);
    const metrics = parseMetrics(String(metricsText));
    fill(
      list,
      dataTable({
        caption: 'Connections',
        columns: COLUMNS,
        rows: data,
        rowHeader: true,
        empty: 'No connection yet: add one below.',
        cell: (c, column) => connectionCell(c, column, metrics),
      }),
    );
    if (reloadShell) await reloadConnections();
  };
  fill(main, h('h1', {}, 'Connections'), list, addForm(render));
  await render(false);
}
