/** Maps METHOD + path to a catalog operation, using only the catalog's path templates. */
import type { CatalogOperation, StripeCatalog } from '../catalog/index.ts';
import { invalid } from './errors.ts';

export interface Route {
  resourceId: string;
  op: CatalogOperation;
  segments: Array<{ literal?: string; param?: string }>;
}

export interface RouteMatch {
  route: Route;
  pathValues: Record<string, string>;
}

export class Router {
  /** Keyed by `METHOD segmentCount`, most specific (most literals, earliest) first. */
  private readonly table = new Map<string, Route[]>();
  readonly routes: Route[] = [];

  constructor(catalog: StripeCatalog) {
    for (const [resourceId, resource] of Object.entries(catalog.raw.resources)) {
      for (const op of resource.operations) {
        const segments = op.path
          .split('/')
          .filter(Boolean)
          .map((s) => (s.startsWith('{') ? { param: s.slice(1, -1) } : { literal: s }));
        const route: Route = { resourceId, op, segments };
        this.routes.push(route);
        const key = `${op.method} ${segments.length}`;
        const list = this.table.get(key) ?? [];
        list.push(route);
        this.table.set(key, list);
      }
    }
    for (const list of this.table.values()) list.sort((a, b) => specificity(b) - specificity(a));
  }

  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').filter(Boolean);
    const candidates = this.table.get(`${method} ${parts.length}`);
    if (!candidates) return undefined;
    outer: for (const route of candidates) {
      const pathValues: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i];
        if (seg.literal !== undefined) {
          if (seg.literal !== parts[i]) continue outer;
        } else {
          pathValues[seg.param as string] = decodeSegment(parts[i]);
        }
      }
      return { route, pathValues };
    }
    return undefined;
  }

  /** Whether any method serves this path (to tell 404 from 405-like misses; Stripe answers both with 404). */
  knowsPath(path: string): boolean {
    return ['GET', 'POST', 'DELETE'].some((m) => this.match(m, path));
  }
}

/** A path parameter as sent; a broken percent-encoding is the client's error (400), not a crash. */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid percent-encoding in the request path: '${raw.slice(0, 100)}'`);
  }
}

/** Literal segments outrank parameters position by position (`/customers/search` before `/customers/{id}`). */
function specificity(route: Route): number {
  let score = 0;
  route.segments.forEach((s, i) => {
    if (s.literal !== undefined) score += 2 ** (16 - i);
  });
  return score;
}
