/**
 * Options that several commands share, declared once: the object commands' preamble (payload,
 * shape, parents, idempotency key, --json, connection), the row commands' output options, and
 * the parsing of what they take. Only cheap modules are imported here: declaring the program must
 * not load the engines.
 */
import { Option, type Command } from 'commander';
import { ConnectorError } from '../errors.ts';
import { SHAPES, type Shape } from '../entities/shape.ts';
import { parseParents, readPayload } from './input.ts';
import { addConnectionOptions, type ConnectionOptions } from './context.ts';
import { SEARCH_RULE } from '../query/search-rule.ts';

export { SEARCH_RULE };

export const SHAPE_HELP =
  'output shape: native (Stripe JSON), flat (dotted columns), seed (the seed’s: flattened, numbers and booleans as strings, writes answer {"Id": ...})';

/** Commander's repeatable option collector. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export interface ObjectOptions extends ConnectionOptions {
  payload?: string;
  shape?: Shape;
  parent?: string[];
  idempotencyKey?: string;
  json?: boolean;
}

export interface ObjectPreamble {
  /** `required`: --payload must be given; `optional`; absent: no --payload. */
  payload?: { required: boolean; example: string };
  /** Writes by POST take an idempotency key; a GET or DELETE does not. */
  idempotencyKey?: boolean;
  /** --shape default (get resolves --flat itself, so it has none). */
  shapeDefault?: Shape;
  parent?: boolean;
}

/** Adds the object commands' shared options to `command`. */
export function addObjectOptions(command: Command, preamble: ObjectPreamble): Command {
  if (preamble.payload) {
    const help = `inputs as JSON, @file or @- (stdin): ${preamble.payload.example}; {} for none`;
    if (preamble.payload.required) command.requiredOption('--payload <json>', help);
    else command.option('--payload <json>', help);
  }
  const shape = new Option('--shape <shape>', SHAPE_HELP).choices(SHAPES);
  command.addOption(preamble.shapeDefault ? shape.default(preamble.shapeDefault) : shape);
  if (preamble.parent !== false)
    command.option(
      '--parent <name=id>',
      'a parent id for nested entities (customer=cus_1); repeatable',
      collect,
      [],
    );
  if (preamble.idempotencyKey)
    command.option('--idempotency-key <key>', 'idempotency key for the write (default: generated)');
  command.option('--json', 'print JSON (the default)');
  return addConnectionOptions(command);
}

/** What the object options say, parsed: faults are INVALID_ARGUMENT naming the option. */
export function objectInputs(opts: ObjectOptions) {
  return {
    payload: readPayload(opts.payload),
    parents: parseParents(opts.parent),
    shape: opts.shape,
    idempotencyKey: opts.idempotencyKey,
  };
}

/** `--limit n`: a non-negative integer, or undefined when not given. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (value.trim() === '' || !Number.isInteger(limit) || limit < 0)
    throw new ConnectorError('INVALID_ARGUMENT', `--limit must be a non-negative integer, got "${value}"`, {
      field: '--limit',
    });
  return limit;
}

/** Adds --search / --no-search with the rule in their help. */
export function addSearchOptions(command: Command): Command {
  return command
    .option('--search', 'prefer Stripe search where it applies (it may lag writes by up to a minute)')
    .option('--no-search', `never use Stripe search. ${SEARCH_RULE}`);
}

/** --search / --no-search / neither → true / false / undefined (auto). */
export function searchChoice(command: Command): boolean | undefined {
  const source = command.getOptionValueSource('search');
  return source === 'cli' ? Boolean(command.opts().search) : undefined;
}
