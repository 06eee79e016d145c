import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { line } from '../../support/ledger-checks';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { drainOutbox, startOutboxWorker } from '../../../server/jobs/outbox-worker';
import { createRegistry } from '../../../server/connectors/registry';
import { forgetLimits } from '../../../server/connectors/xero/limits';
import { xeroConnectionView } from '../../../server/connectors/xero/connection-view';
import { Actor } from '../../../server/services/stock/types';
import { startFakeXero, FakeXero } from '../../support/fake-xero/server';
import { connectToFake, fakeXeroConfig, giveMappedAccounts } from '../../support/fake-xero/connect';
import { FakeOrganisation } from '../../support/fake-xero/state';

// Xero in real organisations, against the stateful fake Xero: journals arriving in a burst go in
// a few calls; an outage is waited out (one probe at a time, no attempts used, nothing dead);
// a lock date set in Xero since the last pull re-dates the journal instead of killing it; a call
// Xero never answers is aborted and holds up no other organisation. No test measures time: the
// gate's clock is moved by hand (makeDue) or the test waits for a row to change.
jest.setTimeout(120_000);

let t: TestDb;
let fake: FakeXero;
beforeAll(async () => {
  t = await openTestDb();
  fake = await startFakeXero();
});
afterAll(async () => {
  await fake.stop();
  await t.close();
});
beforeEach(() => forgetLimits());

const publicUrl = 'http://perpetua.test';
const registry = (callTimeoutMs?: number) => {
  const config = fakeXeroConfig(fake);
  return createRegistry(t.db, { ...config, xero: { ...config.xero, ...(callTimeoutMs ? { callTimeoutMs } : {}) } as typeof config.xero });
};

async function connectedOrganisation(name: string): Promise<{ actor: Actor; org: FakeOrganisation }> {
  const actor = await givenOrganisation(t.db);
  const org = fake.organisation(name);
  await connectToFake(t.db, fake, actor, org);
  await giveMappedAccounts(t.db, actor, org);
  await givenPart(t.db, actor, 'GI-1');
  return { actor, org };
}

const receive = (actor: Actor, i: number, date = '2026-11-20') =>
  postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: date, reference: `GRN-${i}`, lines: [line('GI-1', 'MAIN', '1', `${i}.00`)] });
const rowsOf = (actor: Actor) => t.db('outbox').where({ tenant_id: actor.tenantId }).orderBy('created_at').select('*');
const journalCalls = (org: FakeOrganisation) => fake.calls.filter((c) => c.path === '/ManualJournals' && c.tenant === org.tenantId);
/** Time passes: the rows fall due, and so does the organisation's next call. */
async function makeDue(actor: Actor) {
  await t.db('posting_gates').where({ tenant_id: actor.tenantId }).update({ next_call_at: t.db.raw("now() - interval '1 second'") });
  await t.db('outbox').where({ tenant_id: actor.tenantId }).whereNot('status', 'done').update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
}
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('calls per event', () => {
  it('sends a journal alone at once, then gathers the ones that follow into one call', async () => {
    const { actor, org } = await connectedOrganisation('Burst Ltd');
    const other = await connectedOrganisation('Quiet Ltd');
    const drain = () => drainOutbox(t.db, registry(), { publicUrl, gatherMs: 60_000 });
    await receive(actor, 1);
    await drain();
    expect(journalCalls(org)).toHaveLength(1);

    for (let i = 2; i <= 10; i++) await receive(actor, i);
    await receive(other.actor, 1);
    await drain();
    // The burst waits for its organisation's next call, without using attempts; the other organisation is not held.
    expect(journalCalls(org)).toHaveLength(1);
    expect((await rowsOf(actor)).slice(1).map((r) => [r.status, r.attempts])).toEqual(Array(9).fill(['pending', 0]));
    expect((await rowsOf(other.actor)).map((r) => r.status)).toEqual(['done']);

    await makeDue(actor);
    await drain();
    expect(journalCalls(org)).toHaveLength(2);
    expect(org.manualJournals).toHaveLength(10);
    expect((await rowsOf(actor)).map((r) => r.status)).toEqual(Array(10).fill('done'));
  });
});

describe('outages', () => {
  it('waits out an outage however long, with one call per probe, and sends everything once Xero answers', async () => {
    const { actor, org } = await connectedOrganisation('Outage Ltd');
    const drain = () => drainOutbox(t.db, registry(), { publicUrl, gatherMs: 4000, batch: 1000 });
    for (let i = 1; i <= 60; i++) await receive(actor, i);
    fake.goDown();
    await drain();
    // Far more probes than the ten attempts that used to dead-letter a journal; each probe is one call.
    for (let probe = 0; probe < 14; probe++) {
      const before = journalCalls(org).length;
      await makeDue(actor);
      await drain();
      expect(journalCalls(org).length - before).toBe(1);
    }
    const waiting = await rowsOf(actor);
    expect(waiting.filter((r) => r.status === 'dead')).toHaveLength(0);
    expect(new Set(waiting.map((r) => r.attempts))).toEqual(new Set([0]));
    const view = await xeroConnectionView(t.db, actor.tenantId);
    expect(view!.journals.why).toMatch(/^Xero has not answered since .+ \(Xero is unavailable \(503\)\)\. 60 journals wait/);

    fake.comeBack();
    await makeDue(actor); // the next probe falls due
    await drain();
    expect(org.manualJournals).toHaveLength(60);
    expect((await rowsOf(actor)).every((r) => r.status === 'done')).toBe(true);
    expect((await xeroConnectionView(t.db, actor.tenantId))!.journals.why).toBeNull();
  });

  it('counts a call that goes unanswered again while Xero answers the organisation\'s other calls, so it ends dead, not waited on for ever', async () => {
    const { actor, org } = await connectedOrganisation('One Bad Call Ltd');
    const drain = () => drainOutbox(t.db, registry(), { publicUrl });
    // A 502 for this call only (no timing: a hang would race the call timeout on a busy machine).
    const failBadCall = () => fake.failNext(1, { status: 502, path: /ManualJournals/, body: 'Bad Gateway' });
    const dueNow = async (journalRowId: string) => {
      await t.db('posting_gates').where({ tenant_id: actor.tenantId }).update({ next_call_at: t.db.raw("now() - interval '1 second'") });
      await t.db('outbox').where({ tenant_id: actor.tenantId, id: journalRowId }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
    };
    await receive(actor, 1);
    const [bad] = await rowsOf(actor);
    failBadCall();
    await drain();
    // The first time, it may be an outage: a wait, no attempt used.
    expect(await t.db('outbox').where({ id: bad.id }).first('status', 'attempts')).toEqual({ status: 'failed', attempts: 0 });

    for (let i = 2; ; i++) {
      await receive(actor, i); // another journal, which Xero takes: Xero is answering
      const fresh = (await rowsOf(actor)).find((r) => r.status === 'pending')!;
      // The bad call is not due meanwhile (its own wait), so this call alone shows Xero answering.
      await t.db('outbox').where({ id: bad.id }).update({ next_attempt_at: t.db.raw("now() + interval '1 hour'") });
      await dueNow(fresh.id);
      await drain();
      expect(await t.db('outbox').where({ id: fresh.id }).first('status', 'last_error')).toEqual({ status: 'done', last_error: null });
      await dueNow(bad.id);
      failBadCall();
      await drain();
      const row = await t.db('outbox').where({ id: bad.id }).first('status', 'attempts');
      expect(row.attempts).toBe(i - 1);
      if (row.status === 'dead') break;
      expect(i).toBeLessThan(20);
    }
    expect(await t.db('outbox').where({ id: bad.id }).first('status', 'attempts', 'last_error'))
      .toEqual({ status: 'dead', attempts: 10, last_error: 'Xero is unavailable (502)' });
    expect(org.manualJournals.map((m) => m.journal.Narration)).not.toContain('Stock receipt GRN-1: GI-1 [Perpetua]');
  });

  it('re-dates a journal Xero refuses for a lock date set since the last pull, reading the lock dates again', async () => {
    const { actor, org } = await connectedOrganisation('Locked Ltd');
    const r = await receive(actor, 1, '2026-11-02');
    org.periodLockDate = '2026-11-10'; // set in Xero after the last pull
    await drainOutbox(t.db, registry(), { publicUrl });

    expect(org.manualJournals).toHaveLength(1);
    const sent = org.manualJournals[0].journal;
    expect(sent.Date).toBe('2026-11-11');
    expect(sent.Narration).toMatch(/\(re-dated from 2026-11-02: period locked\)$/);
    const [row] = await rowsOf(actor);
    expect(row).toMatchObject({ status: 'done', send_date: '2026-11-11', journal_id: r.body.journal!.id });
    const journal = await t.db('journals').where({ tenant_id: actor.tenantId, id: row.journal_id }).first('journal_date');
    expect(journal.journal_date).toBe('2026-11-02'); // the ledger keeps the original date
    expect(await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first('period_lock_date')).toEqual({ period_lock_date: '2026-11-10' });
  });
});

describe('hangs', () => {
  it('aborts a call Xero does not answer in time, and the journal waits without using an attempt', async () => {
    const { actor, org } = await connectedOrganisation('Hang Ltd');
    await receive(actor, 1);
    const closedBefore = fake.hungClosed;
    fake.hangNext(1, { path: /ManualJournals/, tenant: org.tenantId });
    await drainOutbox(t.db, registry(300), { publicUrl });
    expect((await rowsOf(actor))[0]).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Xero did not answer within 0.3 s' });
    await until(() => fake.hungClosed > closedBefore, 'the hung request to be closed by Perpetua', 20_000);
  });

  it("posts another organisation's journals while one organisation's call hangs", async () => {
    const slow = await connectedOrganisation('Slow Ltd');
    const quick = await connectedOrganisation('Quick Ltd');
    await receive(slow.actor, 1);
    fake.hangNext(1, { path: /ManualJournals/, tenant: slow.org.tenantId });
    const worker = startOutboxWorker(t.db, registry(100_000), { publicUrl, intervalMs: 200 });
    try {
      await until(() => fake.calls.some((c) => c.status === 0 && c.tenant === slow.org.tenantId), "the slow organisation's call to reach Xero");
      await receive(quick.actor, 1);
      await until(async () => (await rowsOf(quick.actor))[0].status === 'done', "the quick organisation's journal to be posted");
      expect(quick.org.manualJournals).toHaveLength(1);
      expect(slow.org.manualJournals).toHaveLength(0); // still waiting on its call
    } finally {
      fake.dropHung();
      await worker.stop();
    }
  });
});
