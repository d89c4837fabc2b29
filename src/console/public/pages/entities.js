/* global window */
/**
 * The entity browser: a search over the catalog's entities, a filter box validated live against the
 * server's explain (debounced; the caret points at the error's position), the plan beside the
 * results, and the results table. #/entities/{Entity} browses, …/{id} opens a record, …/new creates.
 */
import { api, connPath, session } from '../api.js';
import { debounce, errorBox, field, fill, h } from '../dom.js';
import { resultsView } from './results.js';
import { recordPage, createPage } from './record.js';
import { exportControls } from './export.js';

let catalogCache = null;
const catalog = async () => (catalogCache ??= (await api('/api/entities')).data);

function entityPicker(entities, current) {
  const search = h('input', { type: 'search', autocomplete: 'off', placeholder: 'customer, invoice…' });
  const list = h('ul', { class: 'entity-list', id: 'entity-list' });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const hits = entities.filter((e) => !q || e.entity.toLowerCase().includes(q) || e.resource.includes(q));
    count.textContent = `${hits.length} of ${entities.length} entities`;
    fill(
      list,
      hits.map((e) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/entities/${e.entity}`, 'aria-current': e.entity === current ? 'page' : undefined },
            e.entity,
          ),
        ),
      ),
    );
  };
  search.addEventListener('input', render);
  search.setAttribute('aria-controls', 'entity-list');
  render();
  return h(
    'nav',
    { class: 'picker', 'aria-label': 'Entities' },
    field('Search entities', search),
    count,
    list,
  );
}

/** The caret line under the filter: the text up to the position as spaces, then ^. */
function caretAt(text, position) {
  const at = Math.max(0, Math.min(position ?? 0, text.length));
  return `${text}\n${' '.repeat(at)}^`;
}

function planView(plan) {
  const calls = plan.calls ?? [];
  return [
    h('h3', {}, 'Stripe calls'),
    calls.length
      ? h(
          'ol',
          {},
          calls.map((c) =>
            h(
              'li',
              {},
              h('code', {}, `${c.method} ${c.path}`),
              c.params
                ? h(
                    'div',
                    { class: 'muted' },
                    Object.entries(c.params)
                      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                      .join(' '),
                  )
                : null,
            ),
          ),
        )
      : h('p', {}, 'none'),
    h('h3', {}, 'Pushed down to Stripe'),
    h(
      'p',
      {},
      (plan.pushedDown ?? []).length
        ? plan.pushedDown.map((p) => h('code', { class: 'chip' }, p))
        : 'nothing',
    ),
    h('h3', {}, 'Checked locally (residual)'),
    h(
      'p',
      {},
      plan.residual
        ? h('code', {}, typeof plan.residual === 'string' ? plan.residual : JSON.stringify(plan.residual))
        : 'nothing',
    ),
    plan.order?.detail ? h('p', { class: 'muted' }, plan.order.detail) : null,
    (plan.notes ?? []).map((n) => h('p', { class: 'muted' }, n)),
  ];
}

function filterBox(entity, onRun) {
  const input = h('input', {
    type: 'text',
    name: 'filter',
    autocomplete: 'off',
    spellcheck: 'false',
    class: 'mono',
    placeholder: "email = 'jenny@example.com'",
    'aria-describedby': 'filter-feedback',
  });
  const feedback = h('div', { id: 'filter-feedback', 'aria-live': 'polite' });
  const plan = h('div', { class: 'plan-body' }, h('p', { class: 'muted' }, 'The plan appears as you type.'));
  let seq = 0;
  const validate = async () => {
    const mine = ++seq;
    const filter = input.value;
    try {
      const result = await api(connPath('/explain'), {
        method: 'POST',
        body: { entity, ...(filter.trim() ? { filter } : {}) },
      });
      if (mine !== seq) return;
      input.removeAttribute('aria-invalid');
      plan.classList.remove('stale');
      plan.removeAttribute('title');
      fill(feedback, h('span', { class: 'ok' }, filter.trim() ? 'Valid filter.' : 'No filter: every row.'));
      fill(plan, planView(result));
    } catch (error) {
      if (mine !== seq) return;
      input.setAttribute('aria-invalid', 'true');
      plan.classList.add('stale');
      plan.setAttribute('title', 'the plan of the last valid filter');
      fill(
        feedback,
        h(
          'div',
          { class: 'error', role: 'alert' },
          h('strong', {}, error.code),
          ' ',
          error.message,
          typeof error.position === 'number'
            ? h(
                'pre',
                {
                  class: 'caret',
                  'data-position': error.position,
                  'aria-label': `error at character ${error.position + 1}`,
                },
                caretAt(filter, error.position),
              )
            : null,
        ),
      );
    }
  };
  input.addEventListener('input', debounce(validate, 250));
  const limit = h(
    'select',
    { name: 'limit' },
    [10, 25, 50, 100].map((n) => h('option', { value: n, selected: n === 25 }, n)),
  );
  const form = h(
    'form',
    { class: 'filter', 'aria-label': 'Filter' },
    h(
      'div',
      { class: 'row' },
      field('Filter (SQL WHERE condition)', input),
      field('Rows per page', limit),
      h('button', { type: 'submit', class: 'primary' }, 'Run'),
    ),
    feedback,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onRun({ filter: input.value.trim() || undefined, limit: Number(limit.value) });
  });
  validate();
  return { form, plan };
}

export async function entitiesPage(main, { params }) {
  const entities = await catalog();
  const [entity = 'Customer', id] = params;
  const known = entities.find((e) => e.entity.toLowerCase() === entity.toLowerCase());
  const layout = h('div', { class: 'browser' }, entityPicker(entities, known?.entity));
  fill(main, layout);
  const body = h('div', { class: 'browse-body' });
  layout.append(body);
  if (!known)
    return void fill(
      body,
      h('h1', {}, 'Entities'),
      errorBox({ code: 'UNKNOWN_ENTITY', message: `no entity ${entity}` }),
    );
  if (!session.connection)
    return void fill(
      body,
      h('h1', {}, known.entity),
      h('p', {}, 'Add a connection first (Connections page).'),
    );
  if (id === 'new') return createPage(body, known);
  if (id) return recordPage(body, known, id);
  const results = h('section', { 'aria-label': 'Results' });
  let current = { limit: 25 };
  const { form, plan } = filterBox(known.entity, (query) => {
    current = query;
    resultsView(results, known, query);
  });
  const canCreate = known.operations.includes('create');
  fill(
    body,
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, known.entity),
      canCreate
        ? h('a', { class: 'button', href: `#/entities/${known.entity}/new` }, `New ${known.entity}`)
        : null,
    ),
    form,
    h(
      'div',
      { class: 'split' },
      results,
      h(
        'aside',
        { class: 'plan card', 'aria-labelledby': 'plan-title' },
        h('h2', { id: 'plan-title' }, 'Plan'),
        plan,
        exportControls(known, () => current),
      ),
    ),
  );
  if (known.operations.includes('list')) resultsView(results, known, current);
  else
    fill(
      results,
      h(
        'p',
        {},
        `${known.entity} cannot be listed; open one by id: `,
        h('a', { href: window.location.hash }, 'use the id in the URL'),
      ),
    );
}
