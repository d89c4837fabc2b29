/**
 * The catalog as MCP resources, for clients that read resources rather than call tools: the entity
 * list, the action list, and each entity's description (fields, operation parameters, actions).
 * The same data as list_entities / list_actions / describe_entity.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { StripeCatalog } from '../catalog/index.ts';
import { describeEntity } from '../catalog/describe.ts';
import type { McpPolicy } from './policy.ts';
import { actionList, entityList } from './tools/catalog.ts';

const BASE = 'stripe-connector://catalog';
const JSON_TYPE = 'application/json';
/** MCP's code for "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

export interface CatalogResources {
  list(): Resource[];
  templates(): ResourceTemplate[];
  read(uri: string): { uri: string; mimeType: string; text: string };
}

export function catalogResources(catalog: StripeCatalog, policy: McpPolicy): CatalogResources {
  const entities = entityList(catalog);
  const fixed: Record<string, () => unknown> = {
    [`${BASE}/entities`]: () => entities,
    [`${BASE}/actions`]: () => actionList(catalog, policy),
  };
  const entityUri = (name: string) => `${BASE}/entities/${name}`;
  return {
    list: () => [
      { uri: `${BASE}/entities`, name: 'entities', title: 'Stripe entities', mimeType: JSON_TYPE },
      { uri: `${BASE}/actions`, name: 'actions', title: 'Actions with their inputs', mimeType: JSON_TYPE },
      ...entities.map((e) => ({
        uri: entityUri(e.entity),
        name: e.entity,
        title: `${e.entity}: fields, operations, actions`,
        mimeType: JSON_TYPE,
      })),
    ],
    templates: () => [
      {
        uriTemplate: `${BASE}/entities/{entity}`,
        name: 'entity',
        title: "An entity's fields, operation parameters and actions",
        mimeType: JSON_TYPE,
      },
    ],
    read(uri) {
      const prefix = `${BASE}/entities/`;
      let data: unknown;
      if (fixed[uri]) data = fixed[uri]();
      else if (uri.startsWith(prefix)) {
        const entity = catalog.findEntity(decodeURIComponent(uri.slice(prefix.length)));
        if (entity) data = describeEntity(catalog, entity);
      }
      if (data === undefined) throw new McpError(RESOURCE_NOT_FOUND, `no such resource: ${uri}`, { uri });
      return { uri, mimeType: JSON_TYPE, text: JSON.stringify(data) };
    },
  };
}
