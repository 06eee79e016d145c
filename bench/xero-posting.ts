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
import { postStockEvent } from '../server/services/stock/post-event';
import { Decimal } from '../server/domain/decimal';
import { Actor } from '../server/services/stock/types';

// From a verified goods-in line to its journal accepted by Xero: the real app on a loopback port,
// its outbox worker polling as in production, and the stateful fake Xero (test/support/fake-xero)
// answering on another port with Xero's real allowance (60 calls in a rolling minute). A person
// verifies one line every GAP_MS through the API (100 receipts in 30 s); the figures are the calls
// per 100 events and the time from sending the verification to the fake Xero storing the journal.

const LINES = 100;
const GAP_MS = 300;

export async function xeroPostingPhase(db: Db, config: Config, log: (s?: string) => void): Promise<string[]> {
  log(`\n[xero] Goods-in line to journal accepted by Xero: ${LINES} lines verified one every ${GAP_MS} ms by POST /api/v1/purchase-orders/:id/receipts; the outbox worker posts to a fake Xero on loopback`);
  forgetLimits();
  const fake = await startFakeXero({ minuteLimit: 60 });
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
  let lineFigure = '';
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
    const deadline = Date.now() + 120_000;
    while (org.manualJournals.length < LINES && Date.now() < deadline) await sleep(20);
    const latencies = org.manualJournals.map((j) => j.createdAt - sentAt.get(j.journal.Url)!).filter(Number.isFinite).sort((a, b) => a - b);
    const calls = fake.calls.filter((c) => c.path === "/ManualJournals").length;
    const s = spread(latencies);
    const per100 = fmt((calls * 100) / LINES, 0);
    log(`  ${latencies.length} of ${LINES} journals in Xero in ${calls} calls (${per100} calls per 100 events); line → accepted: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms`);
    lineFigure = `Goods-in line → journal accepted by Xero (fake, 60 calls/min): ${per100} calls per 100 events, p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms (${LINES} lines ${GAP_MS} ms apart)`;
  } finally {
    client.close();
    await worker.stop();
    server.close();
    await fake.stop();
  }
  // After the first worker has stopped: it must not post the backlog to the first fake.
  return [lineFigure, await backlogPhase(db, xeroConfig, work.actor, log)];
}

const BACKLOG = 300;

/**
 * A backlog (Xero was down, or the organisation reconnects): BACKLOG journals waiting when the
 * worker starts, against a fake Xero that enforces the real 60 calls a minute. One per call they
 * would need five minutes of allowance; several per call, a handful of calls.
 */
async function backlogPhase(db: Db, config: Config, actor: Actor, log: (s?: string) => void): Promise<string> {
  const fake = await startFakeXero({ minuteLimit: 60 });
  const org = fake.organisation(`Backlog ${crypto.randomBytes(3).toString('hex')}`);
  const xeroConfig = { ...config, ...fakeXeroConfig(fake) };
  await db('accounting_connections').where({ tenant_id: actor.tenantId }).del();
  await connectToFake(db, fake, actor, org);
  await giveMappedAccounts(db, actor, org);
  const part = (await db('parts').where({ tenant_id: actor.tenantId }).first('sku')).sku as string;
  for (let i = 0; i < BACKLOG; i++) {
    await postStockEvent(db, actor, { kind: 'receipt', occurredOn: '2026-11-20', reference: `backlog ${i}`, lines: [{ part, location: 'MAIN', quantity: new Decimal(1), unitCost: new Decimal('2.50') }] });
  }
  const started = Date.now();
  const worker = startOutboxWorker(db, createRegistry(db, xeroConfig), { publicUrl: 'http://bench.test' });
  try {
    while (org.manualJournals.length < BACKLOG && Date.now() - started < 120_000) await sleep(20);
    const ms = Date.now() - started;
    const calls = fake.calls.filter((c) => c.path === '/ManualJournals').length;
    log(`  backlog: ${org.manualJournals.length} of ${BACKLOG} waiting journals accepted in ${fmt(ms, 0)} ms, ${calls} calls (Xero allows 60 a minute)`);
    return `Backlog of ${BACKLOG} journals → accepted by Xero: ${fmt(ms, 0)} ms in ${calls} calls (60 calls/minute enforced)`;
  } finally {
    await worker.stop();
    await fake.stop();
  }
}
