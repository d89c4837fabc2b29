/* global Blob, AbortController */
/**
 * Export of the filtered list as CSV or NDJSON. The server streams every page; the browser reads the
 * body chunk by chunk and shows the rows received so far (a progress element), then offers the file.
 * The file is the server's bytes as they came: its CSV cells are escaped against formula injection
 * there (src/entities/csv.ts), so the browser builds no CSV of its own and needs no copy of it.
 */
import { api, connPath, enc } from '../api.js';
import { announce, errorBox, field, fill, h } from '../dom.js';

export function exportControls(entity, currentQuery) {
  const format = h(
    'select',
    { name: 'format' },
    h('option', { value: 'csv' }, 'CSV'),
    h('option', { value: 'ndjson' }, 'NDJSON'),
  );
  const progress = h('progress', { 'aria-label': 'Export progress', hidden: true });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const out = h('div');
  let abort = null;
  const button = h('button', { type: 'button' }, 'Export');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => abort?.abort() }, 'Cancel');
  button.addEventListener('click', async () => {
    const { filter } = currentQuery();
    abort = new AbortController();
    fill(out);
    progress.hidden = false;
    progress.removeAttribute('value');
    cancel.hidden = false;
    button.disabled = true;
    const parts = [];
    let lines = 0;
    try {
      const res = await api(connPath(`/entities/${enc(entity.entity)}`), {
        raw: true,
        query: { filter, format: format.value },
        signal: abort.signal,
      });
      const reader = res.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        for (const byte of value) if (byte === 10) lines++;
        const rows = format.value === 'csv' ? Math.max(0, lines - 1) : lines;
        status.textContent = `${rows} rows received…`;
      }
      const rows = format.value === 'csv' ? Math.max(0, lines - 1) : lines;
      const blob = new Blob(parts, { type: format.value === 'csv' ? 'text/csv' : 'application/x-ndjson' });
      const name = `${entity.entity}.${format.value}`;
      status.textContent = `${rows} rows, ${blob.size} bytes.`;
      fill(
        out,
        h('a', { href: URL.createObjectURL(blob), download: name, class: 'button' }, `Download ${name}`),
      );
      announce(`Export done: ${rows} rows`);
    } catch (error) {
      fill(
        out,
        errorBox(error.name === 'AbortError' ? { code: 'CANCELLED', message: 'export cancelled' } : error),
      );
    } finally {
      progress.hidden = true;
      cancel.hidden = true;
      button.disabled = false;
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, 'Export'),
    h('p', { class: 'muted' }, 'The filtered list, every page, streamed.'),
    field('Format', format),
    h('div', { class: 'row' }, button, cancel),
    progress,
    status,
    out,
  );
}
