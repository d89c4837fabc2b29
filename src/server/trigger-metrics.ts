/**
 * The triggers' /metrics families: from the store, per trigger, the lag (seconds the oldest
 * undelivered event has waited) and the deliveries by state (what every node sees alike); from
 * this process, the delivery attempts by outcome, the webhook calls by outcome, and which
 * triggers run here. Labels name only what is configured, so /metrics stays bounded however names
 * come and go: a removed trigger's attempts go with it; a webhook call to a name that is no
 * connection counts under one label (routes/webhooks.ts).
 */
import type { DispatchNotice, TriggerService } from '../triggers/index.ts';
import { family } from './metrics.ts';

export class TriggerMetrics {
  /** `trigger\0outcome` → attempts made by this process. */
  private readonly attempts = new Map<string, number>();
  /** `connection\0outcome` → webhook calls answered by this process. */
  readonly webhooks = { received: new Map<string, number>() };

  notice(n: DispatchNotice): void {
    if (n.kind !== 'delivered' && n.kind !== 'retry' && n.kind !== 'dead') return;
    const key = `${n.trigger}\u0000${n.kind}`;
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
  }

  async render(service: TriggerService, running: string[]): Promise<string> {
    const status = await service.status();
    const names = new Set(status.map((s) => s.name));
    for (const key of this.attempts.keys())
      if (!names.has(key.slice(0, key.indexOf('\u0000')))) this.attempts.delete(key);
    const states = ['pending', 'delivered', 'failed', 'dead'] as const;
    const split = (m: Map<string, number>, a: string, b: string) =>
      [...m].map(([k, v]): [Record<string, string>, number] => {
        const [x, y] = k.split('\u0000');
        return [{ [a]: x, [b]: y }, v];
      });
    return (
      [
        family(
          'trigger_lag_seconds',
          'Seconds the oldest undelivered event of a trigger has waited (0: none waiting)',
          status.map((s) => [{ trigger: s.name }, s.lag]),
          'gauge',
        ),
        family(
          'trigger_deliveries',
          'Deliveries of a trigger in the store by state (failed: pending after a failed attempt)',
          status.flatMap((s) =>
            states.map((state): [Record<string, string>, number] => [{ trigger: s.name, state }, s[state]]),
          ),
          'gauge',
        ),
        family(
          'trigger_running',
          'Whether this server runs the trigger (1) or not (0: disabled, or its connection is missing)',
          status.map((s) => [{ trigger: s.name }, running.includes(s.name) ? 1 : 0]),
          'gauge',
        ),
        family(
          'trigger_failing',
          'Whether the trigger cannot be run or delivered now (1: e.g. its sink cannot be made; trigger status says why)',
          status.map((s) => [{ trigger: s.name }, s.state === 'failing' ? 1 : 0]),
          'gauge',
        ),
        family(
          'trigger_delivery_attempts_total',
          'Delivery attempts made by this server, by outcome (delivered, retry, dead)',
          split(this.attempts, 'trigger', 'outcome'),
        ),
        family(
          'webhooks_received_total',
          'Webhook calls from Stripe answered, by outcome (stored, duplicate, refused)',
          split(this.webhooks.received, 'connection', 'outcome'),
        ),
      ].join('\n') + '\n'
    );
  }
}
