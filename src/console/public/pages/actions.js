/* global Blob, location */
/**
 * Actions: pick one (searchable), fill the form generated from its inputs, run it on the current
 * connection; the result in Stripe's native shape or the seed's, a file as a download, or the
 * error with its code and the field it names (marked in the form).
 */
import { api, connPath, enc, session } from '../api.js';
import { announce, errorBox, field, fill, h } from '../dom.js';
import { markField, paramControls, readParams } from '../form.js';

let actionsCache = null;

function runForm(action, out) {
  const shape = h(
    'select',
    { name: 'shape' },
    h('option', { value: 'native' }, 'native (Stripe JSON)'),
    h('option', { value: 'seed' }, 'seed (connector rows)'),
  );
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'run-title' },
    h('h2', { id: 'run-title' }, action.name),
    h(
      'p',
      { class: 'muted' },
      `${action.method} ${action.path}${action.entity ? ` · on ${action.entity}` : ''}`,
    ),
    h('div', { class: 'grid' }, paramControls(action.inputs ?? [])),
    field('Result shape', shape),
    h('button', { type: 'submit', class: 'primary' }, `Run ${action.name}`),
  );
  // The shape select is not an input of the action.
  shape.removeAttribute('data-type');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(out, h('p', { class: 'muted' }, 'Running…'));
    try {
      const body = readParams(form);
      const res = await api(connPath(`/actions/${enc(action.name)}`), {
        method: 'POST',
        body,
        query: { shape: shape.value },
        raw: true,
      });
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('json')) {
        const result = await res.json();
        fill(
          out,
          h('h2', {}, 'Result'),
          h(
            'pre',
            { class: 'json', tabindex: 0, 'aria-label': 'Action result' },
            JSON.stringify(result, null, 2),
          ),
        );
      } else {
        const blob = new Blob([await res.arrayBuffer()], { type });
        fill(
          out,
          h('h2', {}, 'Result'),
          h(
            'a',
            {
              class: 'button',
              href: URL.createObjectURL(blob),
              download: `${action.name}.${type.includes('pdf') ? 'pdf' : 'bin'}`,
            },
            `Download the ${type} file`,
          ),
        );
      }
      markField(form, {});
      announce(`${action.name} done`);
    } catch (error) {
      fill(out, h('h2', {}, 'Error'), errorBox(error));
      markField(form, error);
      announce(`${action.name} failed: ${error.code}`);
    }
  });
  return form;
}

export async function actionsPage(main, { params }) {
  const actions = (actionsCache ??= (await api('/api/actions')).data);
  const [chosen] = params;
  const search = h('input', {
    type: 'search',
    autocomplete: 'off',
    list: 'action-names',
    placeholder: 'ConfirmPaymentIntent',
  });
  const datalist = h(
    'datalist',
    { id: 'action-names' },
    actions.map((a) => h('option', { value: a.name })),
  );
  const select = h(
    'select',
    { name: 'action' },
    h('option', { value: '' }, '(choose an action)'),
    actions.map((a) => h('option', { value: a.name, selected: a.name === chosen }, a.name)),
  );
  const go = (name) => {
    if (actions.some((a) => a.name === name)) location.hash = `#/actions/${enc(name)}`;
  };
  search.addEventListener('change', () => go(search.value.trim()));
  select.addEventListener('change', () => go(select.value));
  const out = h('section', { 'aria-live': 'polite', class: 'result' });
  const action = actions.find((a) => a.name === chosen);
  fill(
    main,
    h('h1', {}, 'Actions'),
    h(
      'div',
      { class: 'row' },
      field(`Find an action (${actions.length})`, search),
      datalist,
      field('Action', select),
    ),
    !session.connection ? h('p', {}, 'Add a connection first (Connections page).') : null,
    action ? runForm(action, out) : h('p', { class: 'muted' }, 'Choose an action to see its form.'),
    out,
  );
}
