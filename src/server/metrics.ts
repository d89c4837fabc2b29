/**
 * /metrics in Prometheus text format. Only what is measured: requests the server answered (by
 * method, route pattern and status, with their total duration), and the gateways' own counters
 * (Stripe calls, attempts, retries by reason, rate limits met, throttle waits); route groups add
 * their own families through `state.metricSources` (the triggers: lag, deliveries, webhooks).
 */
import type { ConnectionStats } from './registry.ts';

interface RequestKey {
  method: string;
  route: string;
  status: number;
}

export class RequestMetrics {
  private readonly counts = new Map<string, { key: RequestKey; count: number; seconds: number }>();

  observe(key: RequestKey, seconds: number): void {
    const id = `${key.method} ${key.route} ${key.status}`;
    const entry = this.counts.get(id) ?? { key, count: 0, seconds: 0 };
    entry.count++;
    entry.seconds += seconds;
    this.counts.set(id, entry);
  }

  entries() {
    return [...this.counts.values()];
  }
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string | number>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escape(String(v))}"`)
    .join(',')}}`;

export function family(
  name: string,
  help: string,
  samples: Array<[Record<string, string | number>, number]>,
  type: 'counter' | 'gauge' = 'counter',
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [l, v] of samples) lines.push(`${name}${labels(l)} ${v}`);
  return lines.join('\n');
}

const GATEWAY_FAMILIES: Array<[string, keyof ConnectionStats['counters'], string, number?]> = [
  ['stripe_requests_total', 'requests', 'Logical requests sent to Stripe'],
  ['stripe_requests_failed_total', 'failed', 'Requests to Stripe that failed after their retries'],
  ['stripe_attempts_total', 'attempts', 'Attempts made (1 + retries per request)'],
  ['stripe_retries_total', 'retries', 'Retries of requests to Stripe'],
  ['stripe_rate_limited_total', 'rateLimited', 'Answers from Stripe that were rate limits'],
  ['stripe_throttle_waits_total', 'throttledWaits', 'Attempts that waited for the connection throttle'],
  ['stripe_throttle_wait_seconds_total', 'throttledMs', 'Time spent waiting for the throttle', 1000],
];

export function renderMetrics(requests: RequestMetrics, gateways: ConnectionStats[]): string {
  const entries = requests.entries();
  const out = [
    family(
      'http_requests_total',
      'Requests answered, by method, route and status',
      entries.map((e) => [{ ...e.key }, e.count]),
    ),
    family(
      'http_request_duration_seconds_total',
      'Total time spent answering, by method, route and status',
      entries.map((e) => [{ ...e.key }, Number(e.seconds.toFixed(6))]),
    ),
  ];
  for (const [name, key, help, divisor] of GATEWAY_FAMILIES) {
    out.push(
      family(
        name,
        help,
        gateways.map((g) => [
          { connection: g.connection },
          divisor ? g.counters[key] / divisor : g.counters[key],
        ]),
      ),
    );
  }
  out.push(
    family(
      'stripe_retries_by_reason_total',
      'Retries of requests to Stripe, by reason',
      gateways.flatMap((g) =>
        Object.entries(g.retriesByReason).map(([reason, n]): [Record<string, string>, number] => [
          { connection: g.connection, reason },
          n,
        ]),
      ),
    ),
  );
  return out.join('\n') + '\n';
}
