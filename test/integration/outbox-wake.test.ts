import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { line } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { startOutboxWorker } from '../../server/jobs/outbox-worker';
import { defaultRegistry } from '../../server/connectors/registry';

// The worker polls once a minute here, so a journal posted within seconds was woken for: the
// committed transaction rang the bell. A rolled-back one must not leave anything to post.
let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

async function statusWithin(tenantId: string, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const rows = await t.db('outbox').where({ tenant_id: tenantId }).select('status');
    if ((rows.length && rows.every((r) => r.status === 'done')) || Date.now() > end) return rows.map((r) => r.status);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('posts a journal as soon as its transaction commits, without waiting for the next poll', async () => {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'WAKE-1');
  const worker = startOutboxWorker(t.db, defaultRegistry, { publicUrl: 'http://perpetua.test', intervalMs: 60_000 });
  try {
    await new Promise((r) => setTimeout(r, 100)); // the first round has run and found nothing
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-20', lines: [line('WAKE-1', 'MAIN', '2', '3.00')] });
    expect(await statusWithin(actor.tenantId, 5_000)).toEqual(['done']);
    await expect(postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-20', lines: [line('WAKE-1', 'MAIN', '5')] })).rejects.toThrow();
    expect(await t.db('outbox').where({ tenant_id: actor.tenantId }).count('* as n').first()).toEqual({ n: 1 });
  } finally {
    await worker.stop();
  }
});
