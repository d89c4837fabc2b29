/**
 * The Microsoft seed's actions (Create/Update product, Create/Get/Update customer): named actions
 * over the entity engine, with the seed's inputs and its rules for empty values. Data, one row each.
 */
import type { ParamSummary } from '../catalog/describe.ts';
import type { OperationKind } from '../catalog/index.ts';

export interface NamedAction {
  name: string;
  entity: string;
  kind: Extract<OperationKind, 'create' | 'retrieve' | 'update'>;
  description: string;
  /** The seed's inputs (more fields of the entity are accepted too, checked by the catalog). */
  inputs: ParamSummary[];
  /** Inputs the seed requires beyond the catalog's own required params. */
  required?: string[];
  /** '' means "not set": the key is dropped (Create customer). */
  dropEmpty?: string[];
  /** '' unsets the value on Stripe (Update customer email). */
  unsetEmpty?: string[];
  /** Inputs given as one comma-separated string become arrays (the seed types images as string). */
  lists?: string[];
}

const str = (name: string, required = false): ParamSummary => ({ name, type: 'string', required });
const bool = (name: string): ParamSummary => ({ name, type: 'boolean', required: false });

const productInputs = (idRequired: boolean): ParamSummary[] => [
  str('id', idRequired),
  str('name', true),
  bool('active'),
  str('description'),
  { name: 'images', type: 'array<string>', required: false },
  bool('shippable'),
  str('url'),
];

export const NAMED_ACTIONS: NamedAction[] = [
  {
    name: 'CreateProduct',
    entity: 'Product',
    kind: 'create',
    description: 'Create a product (Microsoft seed): name required; images at most 8 URLs',
    inputs: productInputs(false),
    lists: ['images'],
  },
  {
    name: 'UpdateProduct',
    entity: 'Product',
    kind: 'update',
    description: 'Update a product by id (Microsoft seed): name required; images at most 8 URLs',
    inputs: productInputs(true),
    required: ['name'],
    lists: ['images'],
  },
  {
    name: 'CreateCustomer',
    entity: 'Customer',
    kind: 'create',
    description: 'Create a customer (Microsoft seed); an empty description or email is not set',
    inputs: [str('description'), str('email')],
    dropEmpty: ['description', 'email'],
  },
  {
    name: 'GetCustomer',
    entity: 'Customer',
    kind: 'retrieve',
    description: 'Get a customer by id (Microsoft seed)',
    inputs: [str('id', true)],
  },
  {
    name: 'UpdateCustomer',
    entity: 'Customer',
    kind: 'update',
    description: 'Update a customer by id (Microsoft seed); an empty email unsets it',
    inputs: [str('id', true), str('description'), str('email')],
    dropEmpty: ['description'],
    unsetEmpty: ['email'],
  },
];
