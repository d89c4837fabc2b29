/**
 * The read tools over the query engine: `query` runs SQL or a filter and returns the rows with the
 * plan's API calls beside them; `explain` returns the plan without calling Stripe. Rows per call
 * are bounded by the policy (one more row is asked for, to say whether the answer was cut).
 */
import { z } from 'zod';
import type { StripeCatalog } from '../../catalog/index.ts';
import { flatten } from '../../entities/flatten.ts';
import { ConnectorError } from '../../errors.ts';
import { explainPlan, planQuery, runQuery, type QueryInput, type Row } from '../../query/index.ts';
import type { McpPolicy } from '../policy.ts';
import { defineTool, entityName, READ, READ_ONLY, type ToolCall } from '../tool.ts';

const LANGUAGE =
  "SQL: SELECT id, email FROM Customer WHERE email = 'a@b.c' AND created >= '2024-01-01' ORDER BY created DESC LIMIT 10 " +
  '(one entity per query; values in single quotes; = != < <= > >= IN LIKE IS NULL AND OR NOT; COUNT(*)), or an entity and a filter (the WHERE part alone).';

function queryInput(catalog: StripeCatalog, maxRows: number) {
  return z.strictObject({
    sql: z.string().min(1).optional().meta({ description: 'a SELECT statement over one entity' }),
    entity: entityName(catalog, 'the entity a filter applies to (not needed with sql)').optional(),
    filter: z
      .string()
      .optional()
      .meta({ description: "a WHERE condition without WHERE: status = 'open' AND amount > 1000" }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(maxRows)
      .optional()
      .meta({ description: `most rows to return (default ${Math.min(100, maxRows)}, at most ${maxRows})` }),
    search: z.boolean().optional().meta({
      description:
        'true: prefer Stripe search where it filters more (its index may lag writes by a minute); false: never; default: only instead of a full scan',
    }),
  });
}

type QueryArgs = z.infer<ReturnType<typeof queryInput>>;

function toInput(args: QueryArgs, limit: number): QueryInput {
  if (!args.sql && !args.entity) {
    throw new ConnectorError('INVALID_ARGUMENT', 'query: give sql (SELECT … FROM Entity …) or an entity', {
      field: 'sql',
    });
  }
  if (args.sql && args.filter) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      'query: write the condition in the WHERE of sql, not as filter',
      {
        field: 'filter',
      },
    );
  }
  return { sql: args.sql, entity: args.entity, filter: args.filter, limit, allowSearch: args.search };
}

async function runBounded(args: QueryArgs & { flat?: boolean }, call: ToolCall) {
  const limit = args.limit ?? call.policy.defaultRows;
  // One row past the limit tells whether there were more; it is not returned.
  const plan = planQuery(call.ctx.catalog, toInput(args, limit + 1));
  const { calls, notes } = explainPlan(plan);
  const rows: Row[] = [];
  let pages = 0;
  for await (const row of runQuery(call.ctx, plan, { signal: call.signal, onPage: () => pages++ })) {
    rows.push(args.flat ? flatten(row) : row);
  }
  const truncated = rows.length > limit;
  if (truncated) rows.length = limit;
  return {
    entity: plan.entity,
    rows,
    rowCount: rows.length,
    truncated,
    ...(truncated
      ? {
          note: `more rows match: narrow the query, or ask for a higher limit (at most ${call.policy.maxRows})`,
        }
      : {}),
    calls,
    pagesFetched: pages,
    ...(notes.length ? { notes } : {}),
  };
}

export function queryTools(catalog: StripeCatalog, policy: McpPolicy) {
  const input = queryInput(catalog, policy.maxRows);
  return [
    defineTool({
      name: 'query',
      title: 'Query Stripe data',
      description: `Read rows of one entity with the connector's query language. ${LANGUAGE} Filters Stripe can apply are sent to it (list parameters, search); the rest is checked locally. Returns the rows, whether more matched (truncated), and the API calls the plan made.`,
      input: input.extend({
        flat: z
          .boolean()
          .optional()
          .meta({ description: 'flatten nested fields to dotted columns (address.city)' }),
      }),
      annotations: READ_ONLY,
      access: () => READ,
      run: (args, call) => runBounded(args, call),
    }),
    defineTool({
      name: 'explain',
      title: 'Explain a query',
      description: `The plan of a query without running it: the API calls, what Stripe filters (pushed down, search), what is checked locally, the order and the page count. ${LANGUAGE}`,
      input,
      annotations: { ...READ_ONLY, openWorldHint: false },
      access: () => READ,
      run: async (args) => explainPlan(planQuery(catalog, toInput(args, args.limit ?? policy.defaultRows))),
    }),
  ];
}
