/**
 * The server's triggers as one piece for startService: the runner on the store
 * (trigger-runner.ts), the trigger routes told of every change, the webhook receiver, and the
 * /metrics families. The runner starts after start-up (`start()`, so that npm start's demo
 * trigger runs from the first moment) and stops when the server closes, after in-flight requests
 * finished (a received webhook is stored) and before the store closes.
 */
import { TriggerService } from '../triggers/index.ts';
import type { Store } from '../store/types.ts';
import type { ServerPlugin } from './app.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { TriggerMetrics } from './trigger-metrics.ts';
import {
  serverTriggerRunner,
  type ServerTriggerRunner,
  type TriggerRunnerOptions,
} from './trigger-runner.ts';

export interface ServerTriggersOptions extends Pick<
  TriggerRunnerOptions,
  'publicUrl' | 'watchMs' | 'idleMs' | 'worker' | 'leaseMs'
> {
  store: Store;
  env: Record<string, string | undefined>;
  /** false: only the routes over the store; the triggers run elsewhere (`trigger run`). */
  run?: boolean;
}

export interface ServerTriggers {
  plugins: ServerPlugin[];
  /** Starts running the store's triggers (a no-op when not running them). */
  start(): Promise<void>;
  runner?: ServerTriggerRunner;
}

export function serverTriggers(opts: ServerTriggersOptions): ServerTriggers {
  if (opts.run === false)
    return { plugins: [triggerRoutes({ store: opts.store, env: opts.env })], start: async () => {} };
  const metrics = new TriggerMetrics();
  let runner: ServerTriggerRunner | undefined;
  const plugin: ServerPlugin = async (app, { state }) => {
    runner = serverTriggerRunner({
      ...opts,
      context: (name) => state.registry.context(name),
      log: (line, level = 'info') => app.log[level]({ source: 'triggers' }, line),
      onNotice: (n) => metrics.notice(n),
    });
    const live = runner;
    const service = new TriggerService(opts.store, state.catalog);
    state.metricSources.push(() => metrics.render(service, live.running()));
    await app.register(
      triggerRoutes({
        store: opts.store,
        env: opts.env,
        onChange: () => live.refresh().catch(() => {}), // the runner logs its own failures
        around: (name, change) => live.around(name, change),
      }),
      { state },
    );
    await app.register(webhookRoutes(live, metrics.webhooks), { state });
    app.addHook('onClose', () => live.stop());
  };
  return {
    plugins: [plugin],
    start: async () => runner?.start(),
    get runner() {
      return runner;
    },
  };
}
