/* global AbortController */
/**
 * Triggers, against the server's /api/triggers routes:
 *   GET    /api/triggers                          → [{ name, source, state, checkpoint, lag, pending, delivered, failed, dead }]
 *   GET    /api/triggers/{name}/deliveries        → deliveries, newest first (`before`: the page older than a seq)
 *   GET    /api/triggers/{name}/dead-letters      → dead letters
 *   POST   /api/triggers/{name}/dead-letters/{id}/redeliver
 *   POST   /api/triggers/{name}/replay { from }   (from: an ISO time)
 *   POST   /api/triggers { name, connection, source, events | preset | entity, sink, … }
 *   DELETE /api/triggers/{name}
 *   GET    /api/triggers/events                   server-sent events; the page re-reads what changed
 * A 404 on GET /api/triggers means the server runs without triggers: the page says so. Lists may be
 * bare arrays or `{ data: [...] }`. Live updates come from the event stream only (no polling).
 */
import { api, ApiError, enc, readEvents } from '../api.js';
import { announce, cellText, cellValue, dataTable, errorBox, field, fill, h, onSubmit } from '../dom.js';
import { deliveryChart } from './chart.js';

const list = (answer) => (Array.isArray(answer) ? answer : (answer?.data ?? []));
const COLUMNS = ['name', 'source', 'state', 'checkpoint', 'lag', 'pending', 'delivered', 'failed', 'dead'];

/**
 * The definition `POST /api/triggers` takes, from the form: `watch` is event types (comma
 * separated: `customer.created`), a preset (`customer-added`) or, for the objects source, an entity.
 */
export function definitionOf({ name, connection, source, watch, sink }, settings = {}) {
  const body = { ...settings, name, connection, sink };
  if (source === 'objects') return { ...body, source, entity: watch };
  if (/^[a-z]+(-[a-z]+)+$/.test(watch)) return { ...body, source, preset: watch };
  const events = watch
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return { ...body, source, events };
}

function addForm(done) {
  const input = (name, placeholder) => h('input', { name, required: true, autocomplete: 'off', placeholder });
  const name = input('name', 'new-customers');
  const connection = input('connection', 'demo');
  const watch = input('watch', 'customer.created, or customer-added, or Charge');
  const sink = input('sink', 'destination:NAME (declared in the server config) or stdout');
  const source = h(
    'select',
    { name: 'source' },
    h('option', { value: 'events' }, 'Events API (polled)'),
    h('option', { value: 'webhook' }, 'Stripe webhooks (and the Events API)'),
    h('option', { value: 'objects' }, 'New objects of an entity (polled)'),
  );
  const options = h('textarea', {
    name: 'options',
    rows: 3,
    spellcheck: 'false',
    placeholder: '{"interval": "5s", "delivery": {"mode": "parallel"}}',
  });
  const problem = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-trigger' },
    h('h2', { id: 'add-trigger' }, 'Add a trigger'),
    h(
      'div',
      { class: 'grid' },
      field('Name', name),
      field('Connection', connection),
      field('Source', source),
      field('Event types, preset or entity', watch),
      field('Sink', sink),
    ),
    field('More settings (JSON, optional)', options),
    problem,
    h('button', { type: 'submit', class: 'primary' }, 'Add trigger'),
  );
  const settings = () => {
    try {
      return options.value.trim() ? JSON.parse(options.value) : {};
    } catch {
      throw { code: 'INVALID_ARGUMENT', message: 'more settings: not valid JSON', field: 'options' };
    }
  };
  onSubmit(form, problem, async () => {
    const values = { name, connection, source, watch, sink };
    const body = definitionOf(
      Object.fromEntries(Object.entries(values).map(([k, el]) => [k, el.value.trim()])),
      settings(),
    );
    await api('/api/triggers', { method: 'POST', body });
    form.reset();
    announce(`Trigger ${body.name} added`);
    await done();
  });
  return form;
}

/** Deliveries in a page of the detail's list. */
const RECENT = 20;

function detailView(root, trigger, refresh, stateOf) {
  const from = h('input', { type: 'datetime-local', name: 'from', required: true });
  const replayProblem = h('div');
  const replay = h(
    'form',
    { class: 'row', 'aria-label': `Replay ${trigger}` },
    field('Replay from', from),
    h('button', { type: 'submit' }, 'Replay'),
    replayProblem,
  );
  onSubmit(replay, replayProblem, async () => {
    await api(`/api/triggers/${enc(trigger)}/replay`, {
      method: 'POST',
      body: { from: new Date(from.value).toISOString() },
    });
    announce(`Replay of ${trigger} started`);
  });
  const deliveries = h('div');
  const dead = h('div');
  // The recent deliveries shown: the newest page, or (cursor: a seq) the page older than it.
  let cursor = null;
  const recentPage = async () => {
    const query = `?limit=${RECENT + 1}${cursor === null ? '' : `&before=${cursor}`}`;
    const rows = list(await api(`/api/triggers/${enc(trigger)}/deliveries${query}`));
    return { rows: rows.slice(0, RECENT), older: rows.length > RECENT };
  };
  const pageTo = async (seq) => {
    cursor = seq;
    await load();
    announce(seq === null ? 'Newest deliveries' : `Deliveries before ${seq}`);
  };
  const redeliver = async (id) => {
    try {
      await api(`/api/triggers/${enc(trigger)}/dead-letters/${enc(id)}/redeliver`, {
        method: 'POST',
        body: {},
      });
      announce(`${id} redelivered`);
      await load();
    } catch (error) {
      dead.prepend(errorBox(error));
    }
  };
  const load = async () => {
    const [ds, dl, recent] = await Promise.all([
      api(`/api/triggers/${enc(trigger)}/deliveries`).then(list),
      api(`/api/triggers/${enc(trigger)}/dead-letters`).then(list),
      recentPage(),
    ]);
    const state = stateOf();
    const failures = ds.filter(
      (d) => d.lastError || /fail|error|dead/i.test(String(d.status ?? d.state ?? '')),
    );
    fill(
      deliveries,
      state?.failing || state?.disabled
        ? h(
            'p',
            { class: 'notice', role: 'status' },
            `${state.failing ? 'Failing' : 'Disabled'}: ${(state.failing ?? state.disabled).reason}`,
          )
        : '',
      deliveryChart(ds),
      h('h3', {}, 'Last failures'),
      failures.length
        ? h(
            'ul',
            {},
            failures
              .slice(0, 10)
              .map((d) =>
                h(
                  'li',
                  {},
                  cellValue(timeOf(d) ?? null, 'at'),
                  ` ${d.event ?? d.eventId ?? d.id ?? ''}: ${d.lastError ?? d.error ?? d.status}`,
                ),
              ),
          )
        : h('p', { class: 'muted' }, 'none'),
      h('h3', {}, cursor === null ? 'Recent deliveries' : `Deliveries before ${cursor}`),
      table(
        recent.rows,
        ['seq', 'id', 'eventId', 'type', 'status', 'attempts', 'at'],
        'Deliveries, newest first',
      ),
      h(
        'div',
        { class: 'row' },
        cursor === null
          ? ''
          : h('button', { type: 'button', onclick: () => pageTo(null) }, 'Newest deliveries'),
        recent.older
          ? h('button', { type: 'button', onclick: () => pageTo(recent.rows.at(-1).seq) }, 'Older deliveries')
          : '',
      ),
    );
    fill(
      dead,
      h('h3', {}, `Dead letters (${dl.length})`),
      dl.length
        ? h(
            'ul',
            { class: 'plain' },
            dl.map((d) =>
              h(
                'li',
                {},
                `${d.id} ${d.eventId ?? d.event ?? ''} ${d.lastError ?? d.error ?? ''} `,
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: () => redeliver(d.id),
                  },
                  `Redeliver ${d.id}`,
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'none'),
    );
  };
  const remove = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      onclick: async () => {
        try {
          await api(`/api/triggers/${enc(trigger)}`, { method: 'DELETE' });
          announce(`Trigger ${trigger} removed`);
          fill(root);
          await refresh();
        } catch (error) {
          root.prepend(errorBox(error));
        }
      },
    },
    `Remove ${trigger}`,
  );
  fill(
    root,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'trigger-detail' },
      h('div', { class: 'title-row' }, h('h2', { id: 'trigger-detail' }, trigger), remove),
      replay,
      deliveries,
      dead,
    ),
  );
  return load()
    .catch((error) => fill(deliveries, errorBox(error)))
    .then(() => load);
}

/** When a delivery happened: finished, else queued (or the shapes older servers sent). */
const timeOf = (d) => d.finishedAt ?? d.at ?? d.deliveredAt ?? d.createdAt ?? d.queuedAt;

function table(rows, columns, name) {
  const at = timeOf;
  return h(
    'div',
    { class: 'scroll' },
    dataTable({
      caption: name ?? 'Rows',
      columns,
      rows,
      cell: (r, c) => cellValue(c === 'at' ? at(r) : r[c], c),
    }),
  );
}

export async function triggersPage(main) {
  let triggers;
  try {
    triggers = list(await api('/api/triggers'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      fill(
        main,
        h('h1', {}, 'Triggers'),
        h(
          'div',
          { class: 'card notice', role: 'status' },
          h('h2', {}, 'Triggers are not enabled on this server'),
          h(
            'p',
            {},
            'This server answers 404 for /api/triggers: it runs without the trigger service. Start it with triggers configured to see their state, deliveries and dead letters here.',
          ),
        ),
      );
      return;
    }
    throw error;
  }
  const rows = h('div');
  const detail = h('div');
  let selected = null;
  let reloadDetail = null;
  const open = async (name) => {
    selected = name;
    reloadDetail = await detailView(detail, name, refresh, () => triggers.find((t) => t.name === name));
  };
  const render = () =>
    fill(
      rows,
      h(
        'div',
        { class: 'scroll' },
        dataTable({
          caption: 'Triggers',
          columns: COLUMNS,
          rows: triggers,
          rowHeader: true,
          empty: 'No trigger yet.',
          rowProps: (t) => ({ 'data-trigger': t.name }),
          cell: (t, c) =>
            c === 'name'
              ? h('button', { type: 'button', class: 'link', onclick: () => open(t.name) }, t.name)
              : c === 'checkpoint'
                ? cellValue(t.checkpoint?.eventsUpTo ?? t.checkpoint ?? null, 'eventsUpTo')
                : cellText(t[c]),
        }),
      ),
    );
  const refresh = async () => {
    triggers = list(await api('/api/triggers'));
    render();
  };
  render();
  fill(
    main,
    h('h1', {}, 'Triggers'),
    h('p', { class: 'muted', id: 'live-state', 'aria-live': 'polite' }, 'Connecting to live updates…'),
    rows,
    detail,
    addForm(refresh),
  );
  const abort = new AbortController();
  const live = main.querySelector('#live-state');
  readEvents(
    '/api/triggers/events',
    async (event) => {
      live.textContent = `Live: last event ${event.event} at ${new Date().toLocaleTimeString()}`;
      let data = null;
      try {
        data = JSON.parse(event.data);
      } catch {
        data = null;
      }
      const name = data?.trigger ?? data?.name;
      // A status event carries the whole row; anything else makes the page re-read what it names.
      if (data && COLUMNS.every((c) => c === 'checkpoint' || c === 'lag' || c in data) && data.name) {
        triggers = [...triggers.filter((t) => t.name !== data.name), data].sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        render();
      } else await refresh();
      // The trigger shown may be gone (removed here or elsewhere): its panel closes then.
      if (selected && !triggers.some((t) => t.name === selected)) {
        selected = null;
        reloadDetail = null;
        fill(detail);
      }
      if (reloadDetail && (!name || name === selected)) await reloadDetail().catch(() => undefined);
    },
    abort.signal,
  )
    .then(() => (live.textContent = 'Live updates ended.'))
    .catch((error) => {
      if (error.name !== 'AbortError')
        live.textContent = `Live updates unavailable: ${error.code ?? error.message}`;
    });
  return () => abort.abort();
}
