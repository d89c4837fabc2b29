/* global window, confirm */
/**
 * One record: its JSON and its dotted columns, an update form generated from the update
 * operation's parameters, and delete. The create page is the same form from the create operation.
 */
import { api, connPath, enc } from '../api.js';
import { announce, cellValue, errorBox, fill, flatten, h, onSubmit } from '../dom.js';
import { markField, paramControls, readParams } from '../form.js';

const described = new Map();
async function describe(entity) {
  if (!described.has(entity)) described.set(entity, await api(`/api/entities/${enc(entity)}`));
  return described.get(entity);
}

function operation(description, kind) {
  return description.operations.find((o) => o.kind === kind);
}

/** A form over an operation's parameters; submit sends readParams(form) to `send`. */
function writeForm(title, params, values, label, send) {
  const problem = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-label': title },
    h('h2', {}, title),
    h('div', { class: 'grid' }, paramControls(params, values)),
    problem,
    h('button', { type: 'submit', class: 'primary' }, label),
  );
  onSubmit(
    form,
    problem,
    () => send(readParams(form)),
    (error) => markField(form, error),
  );
  return form;
}

export async function createPage(root, entity) {
  const d = await describe(entity.entity);
  const params = (operation(d, 'create')?.params ?? []).filter((p) => !p.name.startsWith('expand'));
  fill(
    root,
    h('p', {}, h('a', { href: `#/entities/${entity.entity}` }, `← ${entity.entity} list`)),
    h('h1', {}, `New ${entity.entity}`),
    writeForm(`Create a ${entity.entity}`, params, {}, 'Create', async (body) => {
      const created = await api(connPath(`/entities/${enc(entity.entity)}`), { method: 'POST', body });
      announce(`${entity.entity} ${created.id} created`);
      window.location.hash = `#/entities/${entity.entity}/${enc(created.id)}`;
    }),
  );
}

export async function recordPage(root, entity, id) {
  const [d, record] = await Promise.all([
    describe(entity.entity),
    api(connPath(`/entities/${enc(entity.entity)}/${enc(id)}`)),
  ]);
  const flat = flatten(record);
  const update = operation(d, 'update');
  const updatable = (update?.params ?? []).filter((p) => !p.name.startsWith('expand'));
  const values = Object.fromEntries(
    updatable
      .map((p) => [p.name, record[p.name]])
      .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object'),
  );
  const del = operation(d, 'delete')
    ? h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            if (!confirm(`Delete ${entity.entity} ${id}?`)) return;
            try {
              await api(connPath(`/entities/${enc(entity.entity)}/${enc(id)}`), { method: 'DELETE' });
              announce(`${id} deleted`);
              window.location.hash = `#/entities/${entity.entity}`;
            } catch (error) {
              root.prepend(errorBox(error));
            }
          },
        },
        `Delete ${id}`,
      )
    : null;
  fill(
    root,
    h('p', {}, h('a', { href: `#/entities/${entity.entity}` }, `← ${entity.entity} list`)),
    h('div', { class: 'title-row' }, h('h1', {}, `${entity.entity} ${id}`), del),
    h(
      'div',
      { class: 'split' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'cols-title' },
        h('h2', { id: 'cols-title' }, 'Columns'),
        h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'kv' },
            h('caption', { class: 'sr-only' }, 'Dotted columns'),
            h(
              'tbody',
              {},
              Object.entries(flat).map(([k, v]) =>
                h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, cellValue(v, k))),
              ),
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'json-title' },
        h('h2', { id: 'json-title' }, 'JSON'),
        h(
          'pre',
          { class: 'json', tabindex: 0, 'aria-label': 'Record JSON' },
          JSON.stringify(record, null, 2),
        ),
      ),
    ),
    update
      ? writeForm(`Update ${id}`, updatable, values, 'Save changes', async (body) => {
          await api(connPath(`/entities/${enc(entity.entity)}/${enc(id)}`), { method: 'PATCH', body });
          announce(`${id} updated`);
          await recordPage(root, entity, id);
        })
      : null,
  );
}
