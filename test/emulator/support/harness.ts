/**
 * The one way tests reach the emulator: the official SDK, through an HTTP client wrapper that
 * validates every JSON response against the catalog's schema for the operation it answers.
 */
import Stripe from 'stripe';
import { loadCatalog, type CatalogOperation } from '../../../src/catalog/index.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../src/emulator/index.ts';
import { ResponseValidator } from './schema.ts';

export const catalog = loadCatalog();
const validator = new ResponseValidator(catalog);

interface Route {
  op: CatalogOperation;
  resourceId: string;
  re: RegExp;
  literals: number;
}
const routes: Route[] = Object.entries(catalog.raw.resources)
  .flatMap(([resourceId, r]) =>
    r.operations.map((op) => ({
      op,
      resourceId,
      re: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literals: op.path.split('/').filter((s) => s && !s.startsWith('{')).length,
    })),
  )
  .sort((a, b) => b.literals - a.literals);

export const stats = { exercised: new Set<string>(), validated: 0, failures: [] as string[] };

function routeOf(method: string, path: string): Route | undefined {
  return routes.find((r) => r.op.method === method && r.re.test(path));
}

export function opKey(r: { resourceId: string; op: CatalogOperation }): string {
  return `${r.resourceId}:${r.op.name}`;
}

/** Validates a 2xx body; throws so the failing test shows the schema error. */
export function check(method: string, fullPath: string, status: number, body: unknown): void {
  const path = fullPath.split('?')[0];
  const route = routeOf(method, path);
  if (!route || status >= 300) return;
  const { kind, resources = [] } = route.op.response;
  if (kind === 'binary') {
    stats.exercised.add(opKey(route));
    return;
  }
  const error = validator.validate(kind, resources, body);
  if (error) {
    const message = `${method} ${path} (${opKey(route)}): response does not match schema: ${error}`;
    // The SDK would turn a throw here into "Invalid JSON"; the suite asserts on failures instead.
    stats.failures.push(message);
    return;
  }
  stats.validated++;
  stats.exercised.add(opKey(route));
}

class ValidatingClient extends Stripe.HttpClient {
  private readonly inner = Stripe.createNodeHttpClient();
  override getClientName(): string {
    return 'validating';
  }
  override async makeRequest(
    ...args: Parameters<Stripe.HttpClient['makeRequest']>
  ): Promise<Stripe.HttpClientResponse> {
    const [, , path, method] = args;
    const res = await this.inner.makeRequest(...args);
    const toJSON = res.toJSON.bind(res);
    res.toJSON = async () => {
      const body = await toJSON();
      check(method, path, res.getStatusCode(), body);
      return body;
    };
    return res;
  }
}

export function client(em: Emulator, key = 'sk_test_emulator', extra: Record<string, unknown> = {}): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port: em.port,
    protocol: 'http',
    apiVersion: '2023-08-16' as any,
    maxNetworkRetries: 0,
    telemetry: false,
    httpClient: new ValidatingClient(),
    ...extra,
  });
}

export async function start(options: EmulatorOptions = {}): Promise<{ em: Emulator; stripe: Stripe }> {
  const em = await startEmulator(options);
  return { em, stripe: client(em) };
}

/** Stripe errors as the SDK raises them. */
export async function stripeError(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a Stripe error');
}
