/**
 * Forms generated from the catalog: a parameter `{ name, type, required, enum?, fields? }` becomes a
 * labelled control of its type (text, number, a yes/no choice, an enum's options, a date, or JSON for
 * objects and arrays). Required parameters come first; the optional ones sit in a disclosure.
 */
import { ApiError } from './api.js';
import { field, h } from './dom.js';

function controlFor(param) {
  const common = { name: param.name, required: param.required || undefined, 'data-type': param.type };
  if (param.type === 'enum' && param.enum?.length)
    return h(
      'select',
      common,
      h('option', { value: '' }, '(not set)'),
      param.enum.map((v) => h('option', { value: v }, v || '(empty)')),
    );
  if (param.type === 'boolean')
    return h(
      'select',
      common,
      h('option', { value: '' }, '(not set)'),
      h('option', { value: 'true' }, 'true'),
      h('option', { value: 'false' }, 'false'),
    );
  if (param.type === 'integer' || param.type === 'number')
    return h('input', { ...common, type: 'number', step: param.type === 'integer' ? '1' : 'any' });
  if (param.type === 'timestamp') return h('input', { ...common, type: 'datetime-local' });
  if (param.type === 'string') return h('input', { ...common, type: 'text', autocomplete: 'off' });
  return h('textarea', { ...common, rows: 2, spellcheck: 'false', placeholder: 'JSON' });
}

function hintFor(param) {
  const parts = [param.type];
  if (param.required) parts.push('required');
  if (param.aliases?.length) parts.push(`also ${param.aliases.join(', ')}`);
  return parts.join(' · ');
}

/** The fieldset of a parameter list; `values` prefills (an update form from a record). */
export function paramControls(params, values = {}) {
  const row = (p) => {
    const control = controlFor(p);
    const value = values[p.name];
    if (value !== undefined && value !== null)
      control.value = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return field(`${p.name}${p.required ? ' *' : ''}`, control, hintFor(p));
  };
  const required = params.filter((p) => p.required);
  const optional = params.filter((p) => !p.required);
  return [
    required.map(row),
    optional.length
      ? h(
          'details',
          {
            class: 'optional',
            open:
              (required.length === 0 && optional.length <= 8) ||
              optional.some((p) => values[p.name] !== undefined),
          },
          h('summary', {}, `Optional fields (${optional.length})`),
          h('div', { class: 'grid' }, optional.map(row)),
        )
      : null,
  ];
}

/** The payload of a generated form: empty controls are left out; types are converted. */
export function readParams(form) {
  const out = {};
  for (const el of form.querySelectorAll('[data-type]')) {
    const raw = el.value.trim();
    if (raw === '') continue;
    const type = el.dataset.type;
    if (type === 'integer' || type === 'number') out[el.name] = Number(raw);
    else if (type === 'boolean') out[el.name] = raw === 'true';
    else if (type === 'timestamp') out[el.name] = Math.floor(new Date(raw).getTime() / 1000);
    else if (type === 'string' || type === 'enum') out[el.name] = raw;
    else {
      try {
        out[el.name] = JSON.parse(raw);
      } catch {
        throw new ApiError(400, {
          error: { code: 'INVALID_ARGUMENT', message: `${el.name}: not valid JSON`, field: el.name },
        });
      }
    }
  }
  return out;
}

/** Marks the control the server's error names (aria-invalid) and moves the focus to it. */
export function markField(form, error) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!error.field) return;
  const top = error.field.split('.')[0].split('[')[0];
  const el = [...form.querySelectorAll('[name]')].find(
    (c) => c.name === error.field || c.name === top || c.name.toLowerCase() === top.toLowerCase(),
  );
  if (!el) return;
  el.setAttribute('aria-invalid', 'true');
  el.closest('details')?.setAttribute('open', '');
  el.focus();
}
