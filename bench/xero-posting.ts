import crypto from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { createApp } from '../server/app';
import { Config } from '../server/config';
import { createLogger } from '../server/logger';
import { Db } from '../server/db';
import { createRegistry } from '../server/connectors/registry';
import { forgetLimits } from '../server/connectors/xero/limits';
import { startOutboxWorker } from '../server/jobs/outbox-worker';
import { startFakeXero } from '../test/support/fake-xero/server';
import { connectToFake, fakeXeroConfig, giveMappedAccounts } from '../test/support/fake-xero/connect';
import { seedGoodsIn } from './seed';
import { JsonClient } from './load';
import { fmt, sleep, spread } from './support';

// From a verified goods-in line to its journal accepted by Xero: the real app on a loopback port,
// its outbox worker polling as in production, and the stateful fake Xero (test/support/fake-xero)
// answering on another port. A person verifies one line every GAP_MS through the API; the figure
// is the time from sending the verification to the fake Xero storing the journal.

const LINES = 60;
const GAP_MS = 250;

export async function xeroPostingPhase(db: Db, config: Config, log: (s?: string) => void): Promise<string[]> {
  log(`\n[xero] Goods-in line to journal accepted by Xero: ${LINES} lines verified one every ${GAP_MS} ms by POST /api/v1/purchase-orders/:id/receipts; the outbox worker posts to a fake Xero on loopback`);
  forgetLimits();
  const fake = await startFakeXero({ minuteLimit: 100_000 });
  const xeroConfig = { ...config, ...fakeXeroConfig(fake), logLevel: 'silent' };
  const work = await seedGoodsIn(db, LINES);
  const org = fake.organisation(`Bench ${crypto.randomBytes(3).toString('hex')}`);
  await connectToFake(db, fake, work.actor, org);
  await giveMappedAccounts(db, work.actor, org);
  const app = createApp({ db, config: xeroConfig, log: createLogger('silent'), sessionSecret: crypto.randomBytes(32).toString('hex') });
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const worker = startOutboxWorker(db, createRegistry(db, xeroConfig), { publicUrl: 'http://bench.test' });
  const client = new JsonClient(server, { authorization: `Bearer ${work.apiKey}` }, 2);
  try {
    const sentAt = new Map<string, number>();
    for (let i = 0; i < LINES; i++) {
      const started = Date.now();
      const r = await client.post(`/api/v1/purchase-orders/${work.poId}/receipts`, { line: work.lineIds[i], quantity: work.lineQty[i] });
      if (r.status !== 201) throw new Error(`receipt answered ${r.status}: ${r.body}`);
      const eventId = JSON.parse(r.body).event_id as string;
      sentAt.set(`http://bench.test/events/${eventId}`, started);
      await sleep(GAP_MS);
    }
    const deadline = Date.now() + 30_000;
    while (org.manualJournals.length < LINES && Date.now() < deadline) await sleep(20);
    const latencies = org.manualJournals.map((j) => j.createdAt - sentAt.get(j.journal.Url)!).filter(Number.isFinite).sort((a, b) => a - b);
    const calls = fake.calls.filter((c) => c.path === "/ManualJournals").length;
    const s = spread(latencies);
    log(`  ${latencies.length} of ${LINES} journals in Xero in ${calls} calls; line → accepted: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms`);
    return [`Goods-in line → journal accepted by Xero (fake, loopback): p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms (${LINES} lines, ${calls} calls)`];
  } finally {
    client.close();
    await worker.stop();
    server.close();
    await fake.stop();
  }
}
