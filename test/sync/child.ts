/**
 * A sync in its own process, for the crash test:
 *   node --import tsx test/sync/child.ts EMULATOR_URL TARGET_URL ENTITIES
 * Prints one JSON line per backfill page; the test kills it (SIGKILL) mid-way.
 */
import { loadCatalog } from '../../src/catalog/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { runSync } from '../../src/sync/index.ts';

const [baseUrl, to, entities] = process.argv.slice(2) as [string, string, string];
const catalog = loadCatalog();
const gateway = createGateway({ apiKey: 'sk_test_sync', baseUrl, throttle: { tps: 10_000, burst: 1000 } });
let pages = 0;
await runSync(
  { catalog, gateway },
  {
    to,
    entities: entities.split(','),
    once: true,
    concurrency: 4,
    onEvent: (e) => {
      if (e.kind !== 'backfill') return;
      pages++;
      process.stdout.write(JSON.stringify({ pages }) + '\n');
    },
  },
);
process.stdout.write(JSON.stringify({ done: true }) + '\n');
await gateway.close();
