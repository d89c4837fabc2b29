/**
 * Refuses text that is not well-formed UTF-16 anywhere in a request: a lone surrogate (`"\ud800"`
 * is valid JSON, but no character) cannot be encoded for Stripe or stored as UTF-8, and would fail
 * deep inside a layer below (a 500 "URI malformed" from the gateway's form encoding). One
 * preValidation hook for every route, so the 400 names the field (`name`, `metadata.x`,
 * `items.0.price`) before any handler or schema sees it. Keys are checked as well as values.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConnectorError } from '../errors.ts';

type Part = string | number;

// Node 20 has both (ES2024); the project's TypeScript lib is ES2022.
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };
const isWellFormed = (text: string) => (text as Es2024String).isWellFormed();
const toWellFormed = (text: string) => (text as Es2024String).toWellFormed();

/** A step down into a value: its key or index, and the step above (the path, built only on a find). */
interface Step {
  part: Part;
  up?: Step;
}

const pathOf = (step: Step | undefined): Part[] => {
  const path: Part[] = [];
  for (let s = step; s; s = s.up) path.push(s.part);
  return path.reverse();
};

/** The path of the first ill-formed string or key in a value, or undefined when all is well. */
export function illFormedPath(value: unknown): Part[] | undefined {
  // Iterative: a deeply nested body must not overflow the stack.
  const pending: Array<[unknown, Step | undefined]> = [[value, undefined]];
  while (pending.length) {
    const [current, at] = pending.pop()!;
    if (typeof current === 'string') {
      if (!isWellFormed(current)) return pathOf(at);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push([current[i], { part: i, up: at }]);
    } else if (current && typeof current === 'object' && !Buffer.isBuffer(current)) {
      const entries = Object.entries(current);
      for (const [key] of entries) if (!isWellFormed(key)) return pathOf({ part: key, up: at });
      for (let i = entries.length - 1; i >= 0; i--)
        pending.push([entries[i][1], { part: entries[i][0], up: at }]);
    }
  }
  return undefined;
}

const PARTS = [
  ['body', (r: FastifyRequest) => r.body],
  ['querystring', (r: FastifyRequest) => r.query],
  ['params', (r: FastifyRequest) => r.params],
] as const;

export function installWellFormedCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, part] of PARTS) {
      const path = illFormedPath(part(request));
      if (!path) continue;
      const field = path.map((p) => toWellFormed(String(p))).join('.') || where;
      const place = path.length ? `${where} ${field}` : where;
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `${place}: is not well-formed text: it holds a lone UTF-16 surrogate (such as \\ud800 without its pair); send valid Unicode`,
        { field },
      );
    }
  });
}
