/** TriggerMetrics (src/server/trigger-metrics.ts): labels name only triggers that exist. */
import { describe, expect, it } from 'vitest';
import { TriggerMetrics } from '../../src/server/trigger-metrics.ts';
import type { TriggerService } from '../../src/triggers/index.ts';

const status = (name: string) => ({ name, lag: 0, pending: 0, delivered: 1, failed: 0, dead: 0 });
const serviceOf = (names: string[]) =>
  ({ status: async () => names.map(status) }) as unknown as TriggerService;
const delivered = (trigger: string) => ({ kind: 'delivered', trigger, delivery: 'd1', attempts: 1 }) as const;

describe('TriggerMetrics', () => {
  it("a removed trigger's attempts leave /metrics with it; a kept one's stay", async () => {
    const metrics = new TriggerMetrics();
    metrics.notice(delivered('kept'));
    metrics.notice(delivered('removed'));
    const both = await metrics.render(serviceOf(['kept', 'removed']), []);
    expect(both).toMatch(/trigger_delivery_attempts_total\{trigger="removed",outcome="delivered"\} 1/);
    const after = await metrics.render(serviceOf(['kept']), []);
    expect(after).not.toMatch(/trigger="removed"/);
    expect(after).toMatch(/trigger_delivery_attempts_total\{trigger="kept",outcome="delivered"\} 1/);
  });
});
