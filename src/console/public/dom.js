/* global document, Node, setTimeout, clearTimeout */
/** A tiny element builder: h('p', { class: 'x' }, 'text', child). Text is always set as text. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
/** A fresh id for label/control pairs. */
export const uid = (prefix = 'c') => `${prefix}-${++ids}`;

/** A labelled control: the label's for= points at the control's id. */
export function field(label, control, hint) {
  control.id ||= uid('f');
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** Announces a message to the live region (screen readers) and shows it. */
let clearing;
export function announce(text) {
  const status = document.getElementById('status');
  if (!status) return;
  status.textContent = text;
  clearTimeout(clearing);
  clearing = setTimeout(() => (status.textContent = ''), 4000);
}

/** Calls fn after the input has been quiet for ms. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** An error box: the code, the message, the field when the server named one. */
export function errorBox(error) {
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', {}, error.code ?? 'ERROR'),
    ' ',
    error.message,
    error.field ? h('div', {}, 'Field: ', h('code', {}, error.field)) : null,
    error.requestId ? h('div', { class: 'muted' }, 'Request ', error.requestId) : null,
  );
}

/** Nested objects as dotted columns: { a: { b: 1 } } → { 'a.b': 1 }. Arrays stay values. */
export function flatten(value, prefix = '', out = {}) {
  for (const [key, v] of Object.entries(value ?? {})) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) flatten(v, name, out);
    else out[name] = v;
  }
  return out;
}

export function cellText(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Names of fields that hold an instant: Stripe's epoch seconds (created, current_period_end, …),
// the store's epoch milliseconds (createdAt, runAt, …) and ISO strings (queuedAt, eventsUpTo).
const TIME_FIELD =
  /(^|[._])(created|date|due_date|available_on|arrival_date|eventsUpTo|at)$|(_at|At|_start|_end|Start|End|_on)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The instant a value of a time field stands for (a Date), or null when it is not one. */
export function timeOf(value, key = '') {
  if (!TIME_FIELD.test(key)) return null;
  let ms = null;
  // Epoch seconds (2001–2286) or milliseconds (the same years): anything else is a count, not a time.
  if (typeof value === 'number' && value >= 1e9 && value < 1e10) ms = value * 1000;
  else if (typeof value === 'number' && value >= 1e12 && value < 1e13) ms = value;
  else if (typeof value === 'string' && ISO_TIME.test(value)) ms = Date.parse(value);
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms);
}

/** An instant as people read it: `2026-12-01 14:05:09 UTC` (one form everywhere, sortable). */
export function formatTime(date) {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A cell's content: a time field as <time datetime=ISO title=raw value> with the readable date
 * (the raw value stays a hover away), anything else as cellText.
 */
export function cellValue(value, key) {
  const date = timeOf(value, key);
  if (!date) return cellText(value);
  return h('time', { datetime: date.toISOString(), title: String(value) }, formatTime(date));
}

/**
 * A table with a caption, column headers and one row per item; `cell(row, column)` draws a cell
 * (a <th scope=row> for the first column when `rowHeader`), `empty` fills a table with no rows.
 */
export function dataTable({
  caption,
  columns,
  rows,
  cell = (r, c) => cellValue(r[c], c),
  rowProps,
  rowHeader,
  empty = 'none',
  hideCaption = true,
  className,
}) {
  const cells = (row) =>
    columns.map((c, i) =>
      rowHeader && i === 0 ? h('th', { scope: 'row' }, cell(row, c)) : h('td', {}, cell(row, c)),
    );
  return h(
    'table',
    { class: className },
    h('caption', { class: hideCaption ? 'sr-only' : undefined }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length
        ? rows.map((r) => h('tr', rowProps?.(r) ?? {}, cells(r)))
        : h('tr', {}, h('td', { colspan: Math.max(1, columns.length) }, empty)),
    ),
  );
}

/** Submits a form through `send`; a failure shows in `problem` (and `onError` may mark a field). */
export function onSubmit(form, problem, send, onError) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(problem);
    try {
      await send();
    } catch (error) {
      fill(problem, errorBox(error));
      onError?.(error);
    }
  });
  return form;
}
