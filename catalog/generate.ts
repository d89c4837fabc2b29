/**
 * Generates catalog/stripe-<version>.json from a Stripe OpenAPI 3 description.
 *
 *   npm run catalog [-- --spec PATH] [--out DIR]
 *
 * The output holds facts only (no prose): resources with their fields, every operation assigned to a
 * resource with its kind (list/retrieve/create/update/delete/search/custom), parameters and response,
 * and the named sub-schemas those refer to, so the emulator can validate its responses offline.
 * Output is deterministic: the same spec gives a byte-identical file.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Catalog,
  CatalogOperation,
  CatalogResource,
  OperationKind,
  PathParam,
  ResponseShape,
  SchemaDef,
  TypeSpec,
} from '../src/catalog/types.ts';
import { entityNameOf, actionNameOf } from '../src/catalog/naming.ts';

type Json = any;

/** Id prefixes Stripe documents for its objects; the spec itself does not carry them. */
const ID_PREFIXES: Record<string, string> = {
  account: 'acct',
  account_link: '',
  apple_pay_domain: 'apwc',
  application_fee: 'fee',
  'apps.secret': 'appsecret',
  balance_transaction: 'txn',
  bank_account: 'ba',
  'billing_portal.configuration': 'bpc',
  'billing_portal.session': 'bps',
  card: 'card',
  charge: 'ch',
  'checkout.session': 'cs_test',
  coupon: '',
  credit_note: 'cn',
  credit_note_line_item: 'cnli',
  customer: 'cus',
  customer_balance_transaction: 'cbtxn',
  customer_cash_balance_transaction: 'ccsbtxn',
  dispute: 'dp',
  ephemeral_key: 'ephkey',
  event: 'evt',
  file: 'file',
  file_link: 'link',
  'financial_connections.account': 'fca',
  'financial_connections.account_owner': 'fcaowner',
  'financial_connections.session': 'fcsess',
  fee_refund: 'fr',
  'identity.verification_report': 'vr',
  'identity.verification_session': 'vs',
  invoice: 'in',
  invoiceitem: 'ii',
  'issuing.authorization': 'iauth',
  'issuing.card': 'ic',
  'issuing.cardholder': 'ich',
  'issuing.dispute': 'idp',
  'issuing.settlement': 'ist',
  'issuing.transaction': 'ipi',
  item: 'li',
  line_item: 'il',
  login_link: '',
  mandate: 'mandate',
  payment_intent: 'pi',
  payment_link: 'plink',
  payment_method: 'pm',
  payment_method_domain: 'pmd',
  payout: 'po',
  person: 'person',
  plan: 'plan',
  price: 'price',
  product: 'prod',
  promotion_code: 'promo',
  quote: 'qt',
  'radar.early_fraud_warning': 'issfr',
  'radar.value_list': 'rsl',
  'radar.value_list_item': 'rsli',
  refund: 're',
  'reporting.report_run': 'frr',
  review: 'prv',
  scheduled_query_run: 'sqr',
  setup_attempt: 'setatt',
  setup_intent: 'seti',
  shipping_rate: 'shr',
  source: 'src',
  source_mandate_notification: 'srcmn',
  source_transaction: 'srctxn',
  subscription: 'sub',
  subscription_item: 'si',
  subscription_schedule: 'sub_sched',
  'tax.calculation': 'taxcalc',
  'tax.calculation_line_item': 'tax_li',
  'tax.transaction': 'tax',
  'tax.transaction_line_item': 'tax_li',
  tax_code: 'txcd',
  tax_id: 'txi',
  tax_rate: 'txr',
  'terminal.configuration': 'tmc',
  'terminal.location': 'tml',
  'terminal.reader': 'tmr',
  'test_helpers.test_clock': 'clock',
  token: 'tok',
  topup: 'tu',
  transfer: 'tr',
  transfer_reversal: 'trr',
  'treasury.credit_reversal': 'credrev',
  'treasury.debit_reversal': 'debrev',
  'treasury.financial_account': 'fa',
  'treasury.inbound_transfer': 'ibt',
  'treasury.outbound_payment': 'obp',
  'treasury.outbound_transfer': 'obt',
  'treasury.received_credit': 'rc',
  'treasury.received_debit': 'rd',
  'treasury.transaction': 'trxn',
  'treasury.transaction_entry': 'trxne',
  usage_record: 'mbur',
  usage_record_summary: 'sis',
  webhook_endpoint: 'we',
};

/** Older path spellings Stripe still serves beside the current ones; never the primary operation. */
const LEGACY_SEGMENTS = new Set(['people', 'linked_accounts', 'link_account_sessions']);

const IRREGULAR_SINGULAR: Record<string, string> = { people: 'person', lines: 'line_item' };

function singular(word: string): string {
  if (IRREGULAR_SINGULAR[word]) return IRREGULAR_SINGULAR[word];
  if (word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (word.endsWith('sses') || word.endsWith('xes')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

const refName = (ref: string) => ref.split('/').pop() as string;
const isParam = (segment: string) => segment.startsWith('{');

function matchesCollection(literal: string, resource: string): boolean {
  const base = resource.split('.').pop() as string;
  const one = singular(literal);
  return (
    base === literal ||
    base === one ||
    base.endsWith('_' + one) ||
    base.endsWith('_' + literal) ||
    one.endsWith('_' + base)
  );
}

/** The spec with its look-ups: which schemas are resources, converting types, reading operations. */
class SpecReader {
  readonly schemas: Json;
  readonly resourceIds: string[];
  /** Every named schema referred to so far; the catalog carries them all. */
  readonly needed = new Set<string>();

  constructor(readonly spec: Json) {
    this.schemas = spec.components.schemas;
    this.resourceIds = Object.keys(this.schemas)
      .filter((k) => this.schemas[k]['x-resourceId'])
      .sort();
  }

  isResource(name: string): boolean {
    return Boolean(this.schemas[name]?.['x-resourceId']);
  }

  convert(schema: Json): TypeSpec {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      this.needed.add(name);
      return this.withNullable({ type: 'ref', ref: name }, schema);
    }
    if (schema.anyOf) {
      const members: Json[] = schema.anyOf;
      const refs = members.filter((m) => m.$ref).map((m) => refName(m.$ref));
      const plain = members.filter((m) => !m.$ref);
      // An id that can be expanded into the object(s) it names.
      if (schema['x-expansionResources'] && plain.length === 1 && plain[0].type === 'string') {
        refs.forEach((r) => this.needed.add(r));
        return this.withNullable({ type: 'string', expandable: refs }, schema);
      }
      // Request parameters accept '' to unset a value.
      const emptyable = members.some((m) => Array.isArray(m.enum) && m.enum.length === 1 && m.enum[0] === '');
      const rest = members.filter((m) => !(Array.isArray(m.enum) && m.enum.length === 1 && m.enum[0] === ''));
      let spec: TypeSpec =
        rest.length === 1 ? this.convert(rest[0]) : { type: 'anyOf', of: rest.map((m) => this.convert(m)) };
      if (emptyable) spec = { ...spec, emptyable: true };
      return this.withNullable(spec, schema);
    }
    if (schema.enum && schema.type !== 'boolean') {
      return this.withNullable({ type: 'enum', values: [...schema.enum] }, schema);
    }
    switch (schema.type) {
      case 'string':
        return this.withNullable({ type: schema.format === 'unix-time' ? 'timestamp' : 'string' }, schema);
      case 'integer':
        return this.withNullable({ type: schema.format === 'unix-time' ? 'timestamp' : 'integer' }, schema);
      case 'number':
      case 'boolean':
        return this.withNullable({ type: schema.type }, schema);
      case 'array':
        return this.withNullable({ type: 'array', items: this.convert(schema.items ?? {}) }, schema);
      case 'object':
      case undefined: {
        if (schema.type === undefined && !schema.properties && !schema.additionalProperties) {
          return this.withNullable({ type: 'any' }, schema);
        }
        const spec: TypeSpec = { type: 'object' };
        if (schema.properties) spec.fields = this.convertFields(schema.properties);
        if (schema.required?.length) spec.requiredFields = [...schema.required];
        if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          spec.additional = this.convert(schema.additionalProperties);
        }
        return this.withNullable(spec, schema);
      }
      default:
        return this.withNullable({ type: 'any' }, schema);
    }
  }

  withNullable(spec: TypeSpec, schema: Json): TypeSpec {
    return schema.nullable ? { ...spec, nullable: true } : spec;
  }

  convertFields(properties: Json): Record<string, TypeSpec> {
    const out: Record<string, TypeSpec> = {};
    for (const name of Object.keys(properties)) out[name] = this.convert(properties[name]);
    return out;
  }

  /** The resource an operation returns, with deleted and polymorphic variants folded in. */
  responseOf(op: Json): ResponseShape {
    const content = op.responses?.['200']?.content ?? {};
    const contentType = Object.keys(content)[0];
    if (!contentType) return { kind: 'none' };
    const schema = content[contentType].schema ?? {};
    if (contentType !== 'application/json') return { kind: 'binary', contentType };
    if (schema.$ref) return { kind: 'object', resources: [refName(schema.$ref)] };
    if (schema.anyOf) return { kind: 'object', resources: schema.anyOf.map((m: Json) => refName(m.$ref)) };
    const props = schema.properties ?? {};
    if (props.data) {
      const items = props.data.items ?? {};
      const resources = items.$ref
        ? [refName(items.$ref)]
        : (items.anyOf ?? []).map((m: Json) => refName(m.$ref));
      const object = props.object?.enum?.[0] === 'search_result' ? 'search' : 'list';
      return { kind: object, resources };
    }
    return { kind: 'none' };
  }

  /** Chooses the single resource an operation belongs to. */
  owningResource(path: string, response: ResponseShape): string | undefined {
    const candidates = (response.resources ?? []).map((r) =>
      r.startsWith('deleted_') ? r.slice('deleted_'.length) : r,
    );
    const unique = [...new Set(candidates)].filter((r) => this.isResource(r));
    if (unique.length <= 1) return unique[0];
    // Polymorphic answers: the one the path names, else the polymorphic resource that unites them.
    const literals = path.split('/').filter((s) => s && !isParam(s));
    for (let i = literals.length - 1; i >= 0; i--) {
      const hit = unique.find((r) => matchesCollection(literals[i], r));
      if (hit) return hit;
    }
    const union = this.resourceIds.find((id) => {
      const members = (this.schemas[id].anyOf ?? []).map((m: Json) => refName(m.$ref ?? ''));
      return members.length && unique.every((u) => members.includes(u));
    });
    return union ?? unique[0];
  }

  /** `bank_accounts` under an account creates an external_account, one of that union's members. */
  namesMember(literal: string, resource: string): boolean {
    const member = this.resourceForLiteral(literal);
    const union = (this.schemas[resource].anyOf ?? []).map((m: Json) => refName(m.$ref ?? ''));
    return Boolean(member && union.includes(member));
  }

  pathParamsOf(segments: string[], kind: OperationKind, resource: string): PathParam[] {
    const params: PathParam[] = [];
    const lastParam = segments.map(isParam).lastIndexOf(true);
    segments.forEach((segment, i) => {
      if (!isParam(segment)) return;
      const name = segment.slice(1, -1);
      const owner = i > 0 ? this.resourceForLiteral(segments[i - 1], segments[i - 2]) : undefined;
      const after = segments.slice(i + 1);
      let isSelf = false;
      if (i === lastParam && kind !== 'list' && kind !== 'create' && kind !== 'search') {
        // /charges/{charge}/dispute/close acts on the charge's dispute: {charge} is its parent.
        isSelf = kind === 'custom' ? !after.some((w) => matchesCollection(w, resource)) : after.length === 0;
      }
      params.push({ name, ...(isSelf ? { self: true } : owner ? { resource: owner } : {}) });
    });
    return params;
  }

  resourceForLiteral(literal: string, namespace?: string): string | undefined {
    const one = singular(literal);
    if (namespace && this.resourceIds.includes(`${namespace}.${one}`)) return `${namespace}.${one}`;
    return (
      this.resourceIds.find((id) => id === one) ??
      this.resourceIds.find((id) => id.split('.').pop() === one) ??
      this.resourceIds.find((id) => id.endsWith('_' + one))
    );
  }

  paramsOf(op: Json, method: string): CatalogOperation['params'] {
    const out: CatalogOperation['params'] = [];
    if (method === 'get' || method === 'delete') {
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query') continue;
        out.push({ ...this.convert(p.schema ?? {}), name: p.name, required: p.required ? true : undefined });
      }
    }
    const body = op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
    if (body?.properties) {
      const required = new Set<string>(body.required ?? []);
      for (const name of Object.keys(body.properties)) {
        out.push({
          ...this.convert(body.properties[name]),
          name,
          required: required.has(name) ? true : undefined,
        });
      }
    }
    return out;
  }
}

type Located = CatalogOperation & { resource: string };

/** Every operation of the spec, assigned to one resource, with its kind and method name. */
function readOperations(r: SpecReader): { operations: Located[]; unassigned: string[] } {
  const operations: Located[] = [];
  const unassigned: string[] = [];
  const pathKeys = Object.keys(r.spec.paths).sort();
  const singletonGets = new Set<string>();
  for (const path of pathKeys) {
    const get = r.spec.paths[path].get;
    if (get && !isParam(path.split('/').pop() as string) && r.responseOf(get).kind === 'object') {
      singletonGets.add(path);
    }
  }

  for (const path of pathKeys) {
    for (const method of ['get', 'post', 'delete'] as const) {
      const op = r.spec.paths[path][method];
      if (!op) continue;
      const response = r.responseOf(op);
      // A binary answer (the quote PDF) belongs to the object whose id the path carries.
      const resource =
        r.owningResource(path, response) ??
        r.resourceForLiteral(
          [...path.split('/').filter(Boolean)]
            .reverse()
            .find((_s: string, i: number, all: string[]) => i > 0 && isParam(all[i - 1])) ?? '',
        );
      if (!resource) {
        unassigned.push(`${method.toUpperCase()} ${path}`);
        continue;
      }
      const segments = path.split('/').filter(Boolean).slice(1); // drop "v1"
      const last = segments[segments.length - 1];
      let kind: OperationKind;
      let custom: string | undefined;
      const lastParamIndex = segments.map(isParam).lastIndexOf(true);
      const trailing = segments.slice(lastParamIndex + 1);
      if (method === 'delete') kind = 'delete';
      else if (response.kind === 'search') kind = 'search';
      else if (response.kind === 'list') kind = 'list';
      else if (isParam(last)) kind = method === 'get' ? 'retrieve' : 'update';
      else if (matchesCollection(last, resource) || r.namesMember(last, resource)) {
        if (method === 'get') kind = 'retrieve';
        else kind = singletonGets.has(path) ? 'update' : 'create';
      } else {
        kind = 'custom';
        // The method name is what follows the object's id, or its collection for collection methods.
        let words = trailing.filter((w) => !matchesCollection(w, resource));
        if (lastParamIndex < 0) {
          const collection = segments.map((s) => matchesCollection(s, resource)).lastIndexOf(true);
          words = segments.slice(collection + 1);
        }
        custom = words.join('_');
      }
      operations.push({
        resource,
        name: custom ?? kind,
        kind,
        method: method.toUpperCase() as CatalogOperation['method'],
        path,
        testHelper:
          segments[0] === 'test_helpers' && resource.split('.')[0] !== 'test_helpers' ? true : undefined,
        pathParams: r.pathParamsOf(segments, kind, resource),
        params: r.paramsOf(op, method),
        response,
      });
    }
  }

  return { operations, unassigned };
}

/**
 * Several operations of one kind on one resource (nested paths, deprecated aliases): the shortest
 * path keeps the plain name, the others are told apart by the path words the first lacks.
 */
function nameVariants(spec: Json, operations: Located[]): void {
  const byName = new Map<string, Located[]>();
  for (const op of operations) {
    const key = `${op.resource} ${op.name}`;
    byName.set(key, [...(byName.get(key) ?? []), op]);
  }
  const rank = (op: Located) => {
    const segments = op.path.split('/');
    const namespace = op.resource.includes('.') ? op.resource.split('.')[0] : undefined;
    return [
      segments.some((s) => LEGACY_SEGMENTS.has(s)) || spec.paths[op.path][op.method.toLowerCase()].deprecated
        ? 1
        : 0,
      namespace && segments[2] !== namespace ? 1 : 0,
      // Acting on an object by its id beats the singleton form (/v1/accounts/{account} over /v1/account).
      (op.kind === 'retrieve' || op.kind === 'update' || op.kind === 'delete') && !op.pathParams.length
        ? 1
        : 0,
      segments.length,
    ];
  };
  const compareRank = (a: Located, b: Located) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.path.localeCompare(b.path);
  };
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    group.sort(compareRank);
    const primaryWords = new Set(group[0].path.split('/'));
    const taken = new Set([group[0].name]);
    for (const op of group.slice(1)) {
      const literals = op.path.split('/').filter((s) => s && s !== 'v1' && !isParam(s));
      let name = `${op.name}_${literals.filter((s) => !primaryWords.has(s)).join('_') || 'alt'}`;
      if (taken.has(name)) name = `${op.name}_${literals.join('_')}`;
      taken.add(name);
      op.name = name;
    }
  }
}

/** The catalog's resources, each with its operations (custom ones named as actions). */
function buildResources(r: SpecReader, operations: Located[]): Record<string, CatalogResource> {
  const resources: Record<string, CatalogResource> = {};
  for (const id of r.resourceIds) {
    const schema = r.schemas[id];
    const ops = operations
      .filter((o) => o.resource === id)
      .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
      .map(({ resource: _resource, ...rest }) => ({
        ...rest,
        action: rest.kind === 'custom' ? actionNameOf(rest.name, entityNameOf(id)) : undefined,
      }));
    r.needed.add(id);
    resources[id] = {
      entity: entityNameOf(id),
      idPrefix: ID_PREFIXES[id] || undefined,
      deletedOf: id.startsWith('deleted_') ? id.slice('deleted_'.length) : undefined,
      polymorphic: schema.anyOf ? schema.anyOf.map((m: Json) => refName(m.$ref)) : undefined,
      searchable: ops.some((o) => o.kind === 'search') || undefined,
      operations: ops,
    };
  }

  return resources;
}

/** Every named schema a resource or operation refers to, transitively, so responses can be checked. */
function neededSchemas(r: SpecReader): Record<string, SchemaDef> {
  const schemaDefs: Record<string, SchemaDef> = {};
  const done = new Set<string>();
  while (done.size < r.needed.size) {
    for (const name of [...r.needed].sort()) {
      if (done.has(name)) continue;
      done.add(name);
      const s = r.schemas[name];
      if (!s) continue;
      const converted = s.anyOf
        ? { type: 'anyOf' as const, of: s.anyOf.map((m: Json) => r.convert(m)) }
        : r.convert(s);
      schemaDefs[name] = converted;
    }
  }
  const sortedDefs: Record<string, SchemaDef> = {};
  for (const name of Object.keys(schemaDefs).sort()) sortedDefs[name] = schemaDefs[name];

  return sortedDefs;
}

export function generate(spec: Json): Catalog {
  const r = new SpecReader(spec);
  const { operations, unassigned } = readOperations(r);
  nameVariants(spec, operations);
  const resources = buildResources(r, operations);
  return {
    generated: 'by catalog/generate.ts from Stripe OpenAPI spec3.json; regenerate with `npm run catalog`',
    apiVersion: spec.info.version,
    resources,
    unassigned,
    schemas: neededSchemas(r),
  };
}

/** One JSON line per resource and schema: diffable, yet far smaller than pretty-printed JSON. */
export function serialize(catalog: Catalog): string {
  const block = (obj: Record<string, unknown>) =>
    Object.entries(obj)
      .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(',\n');
  return (
    '{\n' +
    `  "generated": ${JSON.stringify(catalog.generated)},\n` +
    `  "apiVersion": ${JSON.stringify(catalog.apiVersion)},\n` +
    `  "unassigned": ${JSON.stringify(catalog.unassigned)},\n` +
    `  "resources": {\n${block(catalog.resources)}\n  },\n` +
    `  "schemas": {\n${block(catalog.schemas)}\n  }\n` +
    '}\n'
  );
}

function main(argv: string[]): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const specPath = resolve(arg('--spec') ?? join(here, '..', '..', 'shared', 'stripe-openapi', 'spec3.json'));
  const outDir = resolve(arg('--out') ?? here);
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const catalog = generate(spec);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `stripe-${catalog.apiVersion}.json`);
  writeFileSync(file, serialize(catalog));
  const ops = Object.values(catalog.resources).reduce((n, r) => n + r.operations.length, 0);
  console.log(
    `wrote ${file}: ${Object.keys(catalog.resources).length} resources, ${ops} operations, ` +
      `${catalog.unassigned.length} unassigned, ${Object.keys(catalog.schemas).length} schemas`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
