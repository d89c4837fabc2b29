/**
 * `npm start`: the server (service.ts) on the embedded store with a connection named `demo`, which
 * points at an in-process emulator seeded with demo data (on a free port of its own), or, when
 * STRIPE_API_KEY is set, at real Stripe with that key (no emulator).
 *
 * The demo token: tokens are kept hashed, so a token can be shown only when it is made. So that
 * every `npm start` can print a working token, the demo keeps its admin token in the data
 * directory's `demo-token` file (mode 0600, a folder that is 0700 already) and prints it again on
 * later starts; a revoked or missing one is replaced. `serve` never writes such a file.
 *
 * The demo trigger (`demo-customers`): each new customer of `demo` becomes a line of
 * `<data dir>/demo-customers.ndjson`, run by the server itself, so the console's Triggers page
 * shows a trigger at work as soon as a customer is created (in the console, by the API, by MCP).
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectionFileInput } from '../connection/index.ts';
import type { Emulator } from '../emulator/index.ts';
import { listenError, type Service } from '../lifecycle.ts';
import { mcpClientConfig, type McpClientConfig } from '../mcp/client-config.ts';
import { ensureDataDir, resolveDataDir } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { serverService, type ServiceOptions } from './service.ts';
import { issueToken } from './tokens.ts';
import { TriggerService } from '../triggers/service.ts';

export const DEMO_CONNECTION = 'demo';
export const DEMO_TOKEN_FILE = 'demo-token';
/** The emulator accepts any test key; this one only names itself. */
export const DEMO_KEY = 'sk_test_demo';
const DEMO_KEY_VAR = 'STRIPE_CONNECTOR_DEMO_KEY';
export const DEMO_TRIGGER = 'demo-customers';
/** The destination the demo declares for triggers made in the console: a file in the data folder. */
export const DEMO_DESTINATION = 'demo-deliveries';

/** `afterStart` and `plugins` pass through (the demo's own afterStart adds its trigger first). */
export interface DemoOptions extends Omit<ServiceOptions, 'connections' | 'firstToken'> {
  /** The emulator's port (default 0: any free one). */
  emulatorPort?: number;
  /** Latency the emulator adds to every answer (to see streaming and shutdown at work). */
  emulatorLatencyMs?: number;
}

export interface DemoInfo {
  url: string;
  console: string;
  docs: string;
  /** The demo admin token (also in `tokenFile`). */
  token: string;
  tokenFile: string;
  /** 'emulator' (demo data) or 'stripe' (STRIPE_API_KEY). */
  target: 'emulator' | 'stripe';
  /** The emulator's URL, when it runs. */
  emulator?: string;
  /** MCP over HTTP on this server (send the token as a Bearer). */
  mcpUrl: string;
  /** The same tools over stdio, for an MCP client's config file. */
  mcp: McpClientConfig;
  /** The demo trigger, run by the server: each new customer is written as a line to `file`. */
  trigger: { name: string; file: string };
}

/** Adds the demo trigger unless one of that name exists (the user may have changed it). */
async function ensureDemoTrigger(store: Store, file: string): Promise<void> {
  if (await store.triggers.get(DEMO_TRIGGER)) return;
  await new TriggerService(store).add({
    name: DEMO_TRIGGER,
    preset: 'customer-added',
    connection: DEMO_CONNECTION,
    source: 'events',
    interval: '2s',
    sink: `file:${file}`,
  });
}

/** The demo token from its file when it still works, else a new admin token written there. */
async function demoToken(store: Store, file: string): Promise<string> {
  let kept = '';
  try {
    kept = readFileSync(file, 'utf8').trim();
  } catch {
    // No file yet: the first start.
  }
  if (kept && (await store.tokens.verify(kept))) return kept;
  const { token } = await issueToken(store.tokens, { scopes: ['admin'], label: 'demo (npm start)' });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

const projectDir = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** The emulator (unless real Stripe is the target) then the server, for runUntilSignal. */
export function demoServices(options: DemoOptions, onStarted: (info: DemoInfo) => void): Service[] {
  const env = options.env ?? process.env;
  const realKey = env.STRIPE_API_KEY;
  const dataDir = ensureDataDir(resolveDataDir({ dataDir: options.dataDir, env }));
  const tokenFile = join(dataDir, DEMO_TOKEN_FILE);
  const triggerFile = join(dataDir, `${DEMO_TRIGGER}.ndjson`);
  let emulator: Emulator | undefined;
  const services: Service[] = [];

  if (!realKey)
    services.push({
      name: 'emulator',
      async start() {
        const { startEmulator } = await import('../emulator/index.ts');
        const port = options.emulatorPort ?? 0;
        try {
          const latency = options.emulatorLatencyMs ? { ms: options.emulatorLatencyMs } : undefined;
          emulator = await startEmulator({ port, host: '127.0.0.1', seed: 'demo', latency });
        } catch (error) {
          throw listenError(error, { port, host: '127.0.0.1', flag: '--emulator-port' });
        }
      },
      stop: async () => emulator?.close(),
    });

  // Built when the server starts: the emulator's URL is known only then.
  const connection = (): ConnectionFileInput =>
    realKey
      ? {
          name: DEMO_CONNECTION,
          apiKey: 'env:STRIPE_API_KEY',
          ...(env.STRIPE_API_BASE ? { baseUrl: env.STRIPE_API_BASE } : {}),
        }
      : { name: DEMO_CONNECTION, apiKey: `env:${DEMO_KEY_VAR}`, baseUrl: emulator!.url };

  const server = serverService(
    {
      ...options,
      dataDir: options.storeUrl ? undefined : dataDir,
      env: realKey ? env : { ...env, [DEMO_KEY_VAR]: DEMO_KEY },
      get connections() {
        return [connection()];
      },
      // What the console's users may pick: the emulator and its key, and a file in the data folder.
      get grants() {
        return {
          ...(emulator ? { env: [DEMO_KEY_VAR], baseUrls: [emulator.url] } : {}),
          destinations: {
            [DEMO_DESTINATION]: { sink: `file:${join(dataDir, `${DEMO_DESTINATION}.ndjson`)}` },
          },
        };
      },
      firstToken: (store) => demoToken(store, tokenFile),
      // Before the runner starts (startService starts it after afterStart): it runs from the start.
      afterStart: async (started) => {
        await ensureDemoTrigger(started.store, triggerFile);
        await options.afterStart?.(started);
      },
    },
    ({ server: running, token }) =>
      onStarted({
        url: running.url,
        console: `${running.url}/`,
        docs: `${running.url}/docs`,
        token: token!,
        tokenFile,
        target: realKey ? 'stripe' : 'emulator',
        ...(emulator ? { emulator: emulator.url } : {}),
        mcpUrl: `${running.url}/mcp/${DEMO_CONNECTION}`,
        mcp: mcpClientConfig(
          emulator ? { apiKey: DEMO_KEY, apiBase: emulator.url, projectDir } : { projectDir },
        ),
        trigger: { name: DEMO_TRIGGER, file: triggerFile },
      }),
  );
  services.push(server);
  return services;
}
