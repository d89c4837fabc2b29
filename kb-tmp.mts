import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './src/store/index.ts';
const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'kb-')) });
const payload = { id: 'evt', data: { object: { email: 'x'.repeat(1000) } } };
const N = 20000;
for (let round = 0; round < 3; round++) {
  const start = performance.now();
  for (let i = 0; i < N; i += 100) {
    await store.transaction(async (tx) => {
      for (let j = 0; j < 100; j++) {
        const id = `e${round}_${i + j}`;
        await tx.inbox.add({ scope: 'conn:x', eventId: id, type: 'customer.created', payload });
        const d = await tx.deliveries.enqueue({ trigger: 'bench', eventId: id, payload, ordered: false });
      }
    });
  }
  const mid = performance.now();
  const claimed = [];
  for (let i = 0; i < N; i += 16) claimed.push(...(await store.deliveries.claim({ triggers: ['bench'], worker: 'w', leaseMs: 60000, limit: 16 })));
  const mid2 = performance.now();
  for (let i = 0; i < claimed.length; i += 100) {
    await store.transaction(async (tx) => { for (const c of claimed.slice(i, i + 100)) await tx.deliveries.ack(c.id, 'w'); });
  }
  const end = performance.now();
  console.log(`receive ${((mid - start) / N * 1000).toFixed(1)} µs/event  claim ${((mid2 - mid) / N * 1000).toFixed(1)} µs/event  ack ${((end - mid2) / N * 1000).toFixed(1)} µs/event (${claimed.length})`);
}
