/**
 * Our own small predicate AST. The planner and evaluator depend on this, never on the SQL
 * library's shapes, so the parser can change without touching them.
 */

export type Value = string | number | boolean | null;
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** How a bound field's values compare (set by fields.ts; absent before binding). */
export type FieldKind =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'timestamp'
  | 'enum'
  | 'id'
  | 'object'
  | 'array'
  | 'any'
  /** Not a field of the object: a parent id that only fills the list path (`quote` for Item). */
  | 'parent';

interface Leaf {
  field: string;
  /** Offset of the predicate in the user's text (for carets). */
  pos: number;
  fieldKind?: FieldKind;
  /**
   * A parameter of the list call that is no field of the object (`price` on Subscription,
   * `delivery_success` on Event): Stripe can filter by it, the evaluator cannot, so it must be
   * pushed down.
   */
  paramOnly?: true;
}

export type Expr =
  | { kind: 'and'; items: Expr[] }
  | { kind: 'or'; items: Expr[] }
  | { kind: 'not'; expr: Expr }
  | (Leaf & { kind: 'compare'; op: CompareOp; value: Value })
  | (Leaf & { kind: 'in'; values: Value[]; negated: boolean })
  | (Leaf & { kind: 'like'; pattern: string; negated: boolean; caseInsensitive: boolean })
  | (Leaf & { kind: 'null'; negated: boolean });

export type LeafExpr = Extract<Expr, { field: string }>;

export interface OrderKey {
  field: string;
  direction: 'asc' | 'desc';
  pos: number;
  fieldKind?: FieldKind;
}

export interface SelectItem {
  field: string;
  /** The output column name (the alias, or the path as written). */
  as: string;
  pos: number;
}

/** A parsed `SELECT … FROM … WHERE … ORDER BY … LIMIT … OFFSET …`. */
export interface SqlQuery {
  entity: string;
  entityPos: number;
  /** undefined: `*`. */
  select?: SelectItem[];
  count: boolean;
  where?: Expr;
  orderBy: OrderKey[];
  limit?: number;
  offset?: number;
}

/** The items of a top-level AND (a single predicate is a conjunction of one). */
export function conjuncts(expr: Expr | undefined): Expr[] {
  if (!expr) return [];
  return expr.kind === 'and' ? expr.items : [expr];
}

export function and(items: Expr[]): Expr | undefined {
  const flat = items.flatMap((i) => (i.kind === 'and' ? i.items : [i]));
  if (flat.length === 0) return undefined;
  return flat.length === 1 ? flat[0] : { kind: 'and', items: flat };
}

/** Every leaf, left to right. */
export function leaves(expr: Expr | undefined): LeafExpr[] {
  if (!expr) return [];
  if (expr.kind === 'and' || expr.kind === 'or') return expr.items.flatMap(leaves);
  if (expr.kind === 'not') return leaves(expr.expr);
  return [expr];
}

function valueText(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return String(value);
}

const fieldText = (path: string) =>
  path
    .split('.')
    .map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`))
    .join('.');

/** Filter text that parses back to the same AST (used by explain and in messages). */
export function toText(expr: Expr | undefined, nested = false): string {
  if (!expr) return '';
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const text = expr.items.map((i) => toText(i, true)).join(expr.kind === 'and' ? ' AND ' : ' OR ');
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `NOT ${toText(expr.expr, true)}`;
    case 'compare':
      return `${fieldText(expr.field)} ${expr.op} ${valueText(expr.value)}`;
    case 'in':
      return `${fieldText(expr.field)} ${expr.negated ? 'NOT IN' : 'IN'} (${expr.values.map(valueText).join(', ')})`;
    case 'like':
      return `${fieldText(expr.field)} ${expr.negated ? 'NOT ' : ''}${expr.caseInsensitive ? 'ILIKE' : 'LIKE'} ${valueText(expr.pattern)}`;
    case 'null':
      return `${fieldText(expr.field)} IS ${expr.negated ? 'NOT ' : ''}NULL`;
  }
}
