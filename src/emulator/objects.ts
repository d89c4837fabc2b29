/**
 * Objects shaped by the catalog's response schemas: default templates (so every required field is
 * present and nullable ones are null, as Stripe sends them) and coercion of request values into
 * response fields (a parameter is copied only where its value fits the response type).
 */
import type { StripeCatalog, TypeSpec } from '../catalog/index.ts';

export type Obj = Record<string, any>;

const SKIP = Symbol('skip');

export class Shapes {
  private readonly templates = new Map<string, string>();
  constructor(readonly catalog: StripeCatalog) {}

  schema(name: string): TypeSpec | undefined {
    return this.catalog.raw.schemas[name];
  }

  /** A fresh default object for a named schema (resource or sub-object). */
  template(name: string): Obj {
    let json = this.templates.get(name);
    if (json === undefined) {
      const spec = this.schema(name);
      json = JSON.stringify(spec ? this.defaultsOf(spec, 0) : {});
      this.templates.set(name, json);
    }
    return JSON.parse(json);
  }

  /** Top-level keys of the template, for filling sparse stored objects at render time. */
  private readonly flat = new Map<string, Obj>();
  flatTemplate(name: string): Obj {
    let t = this.flat.get(name);
    if (!t) {
      t = this.template(name);
      this.flat.set(name, t);
    }
    return t;
  }

  /** Fields of a schema that hold an embedded list object (`lines`, `items`, `line_items`, `refunds`). */
  private readonly lists = new Map<string, string[]>();
  listFields(name: string): string[] {
    let out = this.lists.get(name);
    if (!out) {
      out = [];
      for (const [key, field] of Object.entries(this.schema(name)?.fields ?? {})) {
        const resolved = this.resolve(field);
        const alts =
          resolved?.type === 'anyOf' ? (resolved.of ?? []).map((a) => this.resolve(a)) : [resolved];
        if (alts.some((a) => a?.fields?.has_more && a.fields.data)) out.push(key);
      }
      this.lists.set(name, out);
    }
    return out;
  }

  defaultsOf(spec: TypeSpec, depth: number): Obj {
    const out: Obj = {};
    const required = new Set(spec.requiredFields ?? []);
    for (const [key, field] of Object.entries(spec.fields ?? {})) {
      if (!required.has(key) && !field.nullable) continue;
      out[key] = this.defaultValue(field, depth + 1, required.has(key));
    }
    return out;
  }

  defaultValue(spec: TypeSpec, depth: number, required = true): unknown {
    if (spec.nullable) return null;
    switch (spec.type) {
      case 'enum':
        return spec.values?.[0] ?? '';
      case 'string':
        return '';
      case 'integer':
      case 'number':
      case 'timestamp':
        return 0;
      case 'boolean':
        return false;
      case 'array':
        return [];
      case 'object':
        if (depth > 8) return {};
        return spec.fields ? this.defaultsOf(spec, depth) : {};
      case 'ref': {
        const target = this.schema(spec.ref as string);
        if (!target || depth > 8) return required ? {} : null;
        return this.defaultValue(target, depth + 1, required);
      }
      case 'anyOf':
        return spec.of?.length ? this.defaultValue(spec.of[0], depth, required) : null;
      default:
        return null;
    }
  }

  /** Resolves refs to the spec they name. */
  resolve(spec: TypeSpec | undefined): TypeSpec | undefined {
    let s = spec;
    for (let i = 0; s && s.type === 'ref' && i < 8; i++) {
      const target = this.schema(s.ref as string);
      s = target ? { ...target, nullable: s.nullable || target.nullable } : undefined;
    }
    return s;
  }

  /**
   * Converts a (validated) request value to the response field's type; returns undefined when it
   * does not fit, so callers leave the field alone rather than emit an off-schema response.
   */
  coerce(value: unknown, spec: TypeSpec | undefined, depth = 0): unknown {
    const out = this.coerceInner(value, spec, depth);
    return out === SKIP ? undefined : out;
  }

  private coerceInner(value: unknown, spec: TypeSpec | undefined, depth: number): unknown {
    if (!spec) return SKIP;
    if (value === null) return spec.nullable ? null : SKIP;
    if (depth > 10) return SKIP;
    if (spec.expandable?.length && typeof value === 'string') return value;
    switch (spec.type) {
      case 'any':
        return value;
      case 'string':
        return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : SKIP;
      case 'integer':
      case 'timestamp':
        return typeof value === 'number' && Number.isInteger(value) ? value : SKIP;
      case 'number':
        return typeof value === 'number' ? value : SKIP;
      case 'boolean':
        return typeof value === 'boolean' ? value : SKIP;
      case 'enum':
        return spec.values?.includes(value) ? value : SKIP;
      case 'array': {
        if (!Array.isArray(value)) return SKIP;
        const items = value.map((v) => this.coerceInner(v, spec.items, depth + 1));
        return items.some((v) => v === SKIP) ? SKIP : items;
      }
      case 'ref':
        return this.coerceInner(value, this.resolve(spec), depth);
      case 'anyOf': {
        for (const alt of spec.of ?? []) {
          const v = this.coerceInner(value, alt, depth + 1);
          if (v !== SKIP) return v;
        }
        return SKIP;
      }
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) return SKIP;
        if (!spec.fields) {
          if (!spec.additional) return value;
          const out: Obj = {};
          for (const [k, v] of Object.entries(value as Obj)) {
            const c = this.coerceInner(v, spec.additional, depth + 1);
            if (c !== SKIP) out[k] = c;
          }
          return out;
        }
        const out = this.defaultsOf(spec, depth);
        for (const [k, v] of Object.entries(value as Obj)) {
          if (k === 'total_count' && spec.fields.has_more && typeof v === 'number') {
            out[k] = v;
            continue;
          }
          const c = this.coerceInner(v, spec.fields[k], depth + 1);
          if (c !== SKIP) out[k] = c;
        }
        return out;
      }
      default:
        return SKIP;
    }
  }

  /**
   * Applies request params onto an object (create or update): fields that exist in the response
   * schema and fit its type are set; null (an emptied param) unsets; maps such as metadata merge
   * key by key and an empty value deletes a key, as Stripe does.
   */
  apply(target: Obj, schemaName: string, params: Obj, skip: ReadonlySet<string> = NO_SKIP): Obj {
    const spec = this.schema(schemaName);
    const previous: Obj = {};
    if (!spec?.fields) return previous;
    for (const [key, value] of Object.entries(params)) {
      if (skip.has(key) || key === 'id' || key === 'object' || key === 'expand') continue;
      const field = spec.fields[key];
      if (!field) continue;
      const resolved = this.resolve(field);
      let next: unknown;
      if (value === null) {
        if (resolved?.additional && !resolved.fields) next = {};
        else if (field.nullable) next = null;
        else continue;
      } else if (
        resolved?.additional &&
        !resolved.fields &&
        typeof value === 'object' &&
        !Array.isArray(value)
      ) {
        const merged: Obj = { ...(target[key] ?? {}) };
        for (const [k, v] of Object.entries(value as Obj)) {
          if (v === '' || v === null) delete merged[k];
          else {
            const c = this.coerce(v, resolved.additional);
            if (c !== undefined) merged[k] = c;
          }
        }
        next = merged;
      } else if (field.type === 'string' && value === '' && field.nullable) {
        next = null;
      } else {
        next = this.coerce(value, field);
        if (next === undefined) continue;
      }
      if (JSON.stringify(target[key]) !== JSON.stringify(next)) {
        previous[key] = target[key] === undefined ? null : target[key];
        target[key] = next;
      }
    }
    return previous;
  }
}

const NO_SKIP: ReadonlySet<string> = new Set();
