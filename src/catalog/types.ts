/** Shapes of the generated catalog (catalog/stripe-<version>.json). */

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'any';

/** A value's type: the same grammar for response fields and request parameters. */
export interface TypeSpec {
  type: ScalarType | 'enum' | 'object' | 'array' | 'ref' | 'anyOf';
  /** enum: the allowed values. */
  values?: unknown[];
  /** object: named fields; `requiredFields` lists those always present (responses) or needed (requests). */
  fields?: Record<string, TypeSpec>;
  requiredFields?: string[];
  /** object: the type of every other key (e.g. metadata: string values). */
  additional?: TypeSpec;
  /** array: the element type. */
  items?: TypeSpec;
  /** ref: a named schema in `Catalog.schemas` (a resource or a sub-object). */
  ref?: string;
  /** anyOf: the alternatives. */
  of?: TypeSpec[];
  /** string: an id that `expand[]` can replace with one of these resources. */
  expandable?: string[];
  nullable?: boolean;
  /** request parameters: '' unsets the value. */
  emptyable?: boolean;
}

export type SchemaDef = TypeSpec;

export type OperationKind = 'list' | 'retrieve' | 'create' | 'update' | 'delete' | 'search' | 'custom';

export interface PathParam {
  name: string;
  /** The id of the object the operation acts on (retrieve/update/delete/custom). */
  self?: true;
  /** A parent object's id (e.g. `customer` in /v1/customers/{customer}/tax_ids). */
  resource?: string;
}

export interface OperationParam extends TypeSpec {
  name: string;
  required?: true;
}

export interface ResponseShape {
  kind: 'object' | 'list' | 'search' | 'binary' | 'none';
  resources?: string[];
  contentType?: string;
}

export interface CatalogOperation {
  /** Unique within its resource: the kind, or the custom method's name (`confirm`). */
  name: string;
  kind: OperationKind;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  pathParams: PathParam[];
  params: OperationParam[];
  response: ResponseShape;
  /** Custom methods only: the action name (`ConfirmPaymentIntent`). */
  action?: string;
  /** Lives under /v1/test_helpers (test mode only). */
  testHelper?: true;
}

export interface CatalogResource {
  entity: string;
  idPrefix?: string;
  /** `deleted_customer` is what deleting a `customer` returns. */
  deletedOf?: string;
  /** A union of other resources (payment_source). */
  polymorphic?: string[];
  searchable?: true;
  operations: CatalogOperation[];
}

export interface Catalog {
  generated: string;
  apiVersion: string;
  /** Operations that return no resource (none in 2023-08-16). */
  unassigned: string[];
  resources: Record<string, CatalogResource>;
  schemas: Record<string, SchemaDef>;
}
