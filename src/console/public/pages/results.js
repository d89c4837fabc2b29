/* global CSS */
/**
 * A results table: one page at a time by the server's cursor (a stack of cursors gives Previous),
 * a column picker, and flattened (dotted columns) or nested (JSON cells) views. Rows open the record.
 */
import { api, connPath, enc } from '../api.js';
import { announce, cellText, cellValue, dataTable, errorBox, fill, flatten, h } from '../dom.js';

const DEFAULT_COLUMNS = ['id', 'name', 'email', 'description', 'amount', 'currency', 'status', 'created'];
const chosen = new Map();

function columnsOf(rows, view) {
  const seen = new Set();
  for (const row of rows) for (const key of Object.keys(view === 'flat' ? flatten(row) : row)) seen.add(key);
  return [...seen];
}

function columnPicker(all, selected, state, onChange) {
  return h(
    'details',
    { class: 'columns', open: state.pickerOpen, ontoggle: (e) => (state.pickerOpen = e.target.open) },
    h('summary', {}, `Columns (${selected.length} of ${all.length})`),
    h(
      'fieldset',
      {},
      h('legend', { class: 'sr-only' }, 'Columns shown'),
      all.map((col) =>
        h(
          'label',
          { class: 'check' },
          h('input', {
            type: 'checkbox',
            value: col,
            checked: selected.includes(col),
            onchange: (e) => onChange(col, e.target.checked),
          }),
          ' ',
          col,
        ),
      ),
    ),
  );
}

export function resultsView(root, entity, query) {
  const state = { cursors: [undefined], index: 0, view: 'flat', rows: [], next: null, pickerOpen: false };
  const render = () => {
    const all = columnsOf(state.rows, state.view);
    let selected = chosen.get(entity.entity)?.filter((c) => all.includes(c));
    if (!selected?.length) selected = DEFAULT_COLUMNS.filter((c) => all.includes(c));
    if (!selected.length) selected = all.slice(0, 6);
    const viewSelect = h(
      'select',
      {
        id: 'view-select',
        onchange: (e) => {
          state.view = e.target.value;
          render();
        },
      },
      h('option', { value: 'flat', selected: state.view === 'flat' }, 'Flattened (dotted columns)'),
      h('option', { value: 'nested', selected: state.view === 'nested' }, 'Nested (JSON cells)'),
    );
    const picker = columnPicker(all, selected, state, (col, on) => {
      const next = on ? [...selected, col] : selected.filter((c) => c !== col);
      chosen.set(entity.entity, next);
      render();
      // The picker is drawn again: the keyboard focus goes back to the box just toggled.
      root.querySelector(`.columns input[value="${CSS.escape(col)}"]`)?.focus();
    });
    const rows = state.rows.map((row) => (state.view === 'flat' ? flatten(row) : row));
    const link = (row) =>
      row.id && entity.operations.includes('retrieve')
        ? h('a', { href: `#/entities/${entity.entity}/${enc(row.id)}` }, row.id)
        : cellText(row.id);
    const table = dataTable({
      caption: `${entity.entity}: page ${state.index + 1}, ${state.rows.length} rows`,
      hideCaption: false,
      className: 'results',
      columns: selected,
      rows,
      empty: 'No rows.',
      cell: (row, c) => (c === 'id' ? link(row) : cellValue(row[c], c)),
    });
    fill(
      root,
      h('div', { class: 'toolbar' }, h('label', { for: 'view-select' }, 'View'), viewSelect, picker),
      h('div', { class: 'scroll' }, table),
      h(
        'div',
        { class: 'pager' },
        h(
          'button',
          { type: 'button', disabled: state.index === 0, onclick: () => load(state.index - 1) },
          'Previous page',
        ),
        h(
          'button',
          { type: 'button', disabled: !state.next, onclick: () => load(state.index + 1) },
          'Next page',
        ),
      ),
    );
  };
  const load = async (index) => {
    if (index > state.index) state.cursors[index] = state.next;
    fill(root, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const page = await api(connPath(`/entities/${enc(entity.entity)}`), {
        query: { filter: query.filter, limit: query.limit, cursor: state.cursors[index] },
      });
      Object.assign(state, { index, rows: page.data, next: page.next_cursor });
      render();
      announce(`${page.data.length} ${entity.entity} rows`);
    } catch (error) {
      fill(root, errorBox(error));
    }
  };
  load(0);
}
