import { givenOrganisation, givenPart } from '../../support/builders';
import { line } from '../../support/ledger-checks';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { drainOutbox, retryPosting } from '../../../server/jobs/outbox-worker';
import { claimOutboxBatch } from '../../../server/jobs/outbox-claim';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection, manualJournalsResponse, xeroDouble, xeroTestFile } from './xero-double';

// Several journals per call to PUT /ManualJournals, and the rule that keeps that safe: a call whose
// answer was lost is repeated with the same Idempotency-Key and the same journals, so Xero replays
// it instead of creating them again.
const t = xeroTestFile();

const publicUrl = 'https://perpetua.example.com';
const drain = (journalsPerCall?: number) => drainOutbox(t.db, t.registry, { publicUrl, journalsPerCall });

async function givenJournals(n: number): Promise<{ actor: Actor; journalIds: string[] }> {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BP-1');
  const journalIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', reference: `B-${i + 1}`, lines: [line('BP-1', 'MAIN', '1', `${i + 1}.50`)] });
    journalIds.push(r.body.journal!.id);
  }
  return { actor, journalIds };
}

const rowsOf = (actor: Actor) => t.db('outbox').where({ tenant_id: actor.tenantId }).orderBy('created_at').select('*');
// Time passes: the rows fall due, and so does the organisation's next call (a probe after an outage).
async function makeDue(actor: Actor) {
  await t.db('posting_gates').where({ tenant_id: actor.tenantId }).update({ next_call_at: t.db.raw("now() - interval '1 second'") });
  await t.db('outbox').where({ tenant_id: actor.tenantId }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
}

/** Each row is done, and its external id is the Xero journal made from its own journal (matched by Url). */
async function expectEachPostedOnce(actor: Actor, xero: ReturnType<typeof xeroDouble>, count: number) {
  const created = xero.journalsCreated();
  expect(created).toHaveLength(count);
  for (const row of await rowsOf(actor)) {
    const j = await t.db('journals').where({ tenant_id: actor.tenantId, id: row.journal_id }).first('source_path');
    expect(row.status).toBe('done');
    expect(created.find((c) => c.id === row.external_id)!.journal.Url).toBe(`${publicUrl}${j.source_path}`);
  }
}

describe('several journals per call', () => {
  it('sends the due journals of an organisation in one call, each answered with its own ManualJournalID', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(5);
    await givenXeroConnection(t.db, actor);
    await drain();
    expect(xero.received).toHaveLength(1);
    expect(xero.received[0].idempotencyKey).toMatch(/^batch-[0-9a-f-]{36}$/);
    expect(xero.received[0].summarizeErrors).toBe('false');
    expect(xero.received[0].body.ManualJournals.map((j: any) => j.JournalLines[0].LineAmount)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5]);
    await expectEachPostedOnce(actor, xero, 5);
  });

  it('splits a backlog into calls of at most the limit', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(12);
    await givenXeroConnection(t.db, actor);
    await drain(5);
    expect(xero.received.map((r) => r.body.ManualJournals.length)).toEqual([5, 5, 2]);
    await expectEachPostedOnce(actor, xero, 12);
  });

  it('repeats a call whose answer was lost under the same key with the same journals, so Xero makes them once', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(4);
    await givenXeroConnection(t.db, actor);
    xero.afterCreate.push({ status: 504, body: 'Gateway Timeout' });
    await drain();
    const waiting = await rowsOf(actor);
    expect(waiting.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(new Set(waiting.map((r) => r.send_key)).size).toBe(1);
    // Meanwhile another journal is made: it must not join the repeated call.
    await givenPart(t.db, actor, 'BP-2');
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-03', reference: 'late', lines: [line('BP-2', 'MAIN', '1', '9.00')] });
    await makeDue(actor);
    await drain();
    // The repeat and the late journal's own call may go in either order.
    expect(xero.received.map((r) => r.body.ManualJournals.length).sort()).toEqual([1, 4, 4]);
    const [sent, again] = xero.received.filter((r) => r.body.ManualJournals.length === 4);
    expect(again.idempotencyKey).toBe(sent.idempotencyKey);
    expect(again.body).toEqual(sent.body);
    await expectEachPostedOnce(actor, xero, 5);
  });

  it('repeats a batch a crashed worker had claimed, under its key', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(3);
    await givenXeroConnection(t.db, actor);
    const claimed = await claimOutboxBatch(t.db);
    if (!claimed || claimed === 'busy' || 'held' in claimed) throw new Error('nothing claimed');
    expect(claimed.rows).toHaveLength(3);
    // The worker dies here, perhaps after Xero made the journals; the lease runs out.
    await makeDue(actor);
    await drain();
    expect(xero.received.map((r) => r.idempotencyKey)).toEqual([claimed.sendKey]);
    await expectEachPostedOnce(actor, xero, 3);
    expect((await rowsOf(actor)).map((r) => r.attempts)).toEqual([2, 2, 2]);
  });

  it('posts the others when Xero refuses one journal of a call; the refused one is retried alone under a new key', async () => {
    const xero = xeroDouble();
    const { actor, journalIds } = await givenJournals(3);
    await givenXeroConnection(t.db, actor);
    const rows = () => rowsOf(actor);
    xero.script.push({
      status: 200,
      body: (() => {
        const r = manualJournalsResponse(['mj-a', 'mj-b', 'mj-c'], [0, 1, 2].map((i) => ({ Date: '2026-11-02', Status: 'POSTED', Narration: `n${i}`, JournalLines: [] })));
        Object.assign(r.ManualJournals[1], { ManualJournalID: '00000000-0000-0000-0000-000000000000', StatusAttributeString: 'ERROR', ValidationErrors: [{ Message: "Account code '630' has been archived, or has been deleted." }] });
        return r;
      })(),
    });
    await drain();
    const [a, b, c] = await rows();
    expect(a).toMatchObject({ status: 'done', external_id: 'mj-a' });
    expect(c).toMatchObject({ status: 'done', external_id: 'mj-c' });
    expect(b).toMatchObject({ status: 'dead', send_key: null, last_error: "Xero refused the journal: Account code '630' has been archived, or has been deleted." });

    expect(await retryPosting(t.db, actor.tenantId, journalIds[1])).toBe(true);
    await drain();
    const again = xero.received[1];
    expect(again.body.ManualJournals).toHaveLength(1);
    expect(again.idempotencyKey).toMatch(new RegExp(`^${journalIds[1]}\\.[0-9a-f]{8}$`));
    expect((await rows())[1]).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('posts each journal exactly once when two workers drain batches at the same time', async () => {
    const xero = xeroDouble();
    xero.slowDown(20);
    const { actor } = await givenJournals(30);
    await givenXeroConnection(t.db, actor);
    await Promise.all([drain(4), drain(4), drain(4)]);
    while (await drain(4)); // a worker that found a companion busy left it for the next round
    await expectEachPostedOnce(actor, xero, 30);
    const sent = xero.received.flatMap((r) => r.body.ManualJournals.map((j: any) => j.Url));
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('resends a call under its key with the body first sent, even after Xero\'s lock date moved', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(2);
    await givenXeroConnection(t.db, actor);
    xero.afterCreate.push({ status: 504, body: 'Gateway Timeout' });
    await drain();
    // A bookkeeper locks the period in Xero before the resend; the sync reads the new lock date.
    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ period_lock_date: '2026-11-10' });
    await makeDue(actor);
    await drain();
    expect(xero.received).toHaveLength(2);
    expect(xero.received[1].idempotencyKey).toBe(xero.received[0].idempotencyKey);
    expect(xero.received[1].body).toEqual(xero.received[0].body);
    expect(xero.received[1].body.ManualJournals.map((j: any) => j.Date)).toEqual(['2026-11-02', '2026-11-02']);
    await expectEachPostedOnce(actor, xero, 2);
  });

  it('keeps the key and waits when a resend is answered with a conflict: the first call may still be under way', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(2);
    await givenXeroConnection(t.db, actor);
    xero.afterCreate.push({ status: 504, body: 'Gateway Timeout' });
    await drain(); // made in Xero, but the answer is lost
    xero.script.push({ status: 409, body: { Title: 'Conflict', Status: 409, Detail: 'A request with this idempotency key is in progress' } });
    await makeDue(actor);
    await drain(); // resend: 409
    const rows = await rowsOf(actor);
    expect(rows.map((r) => [r.status, r.send_key === xero.received[0].idempotencyKey])).toEqual([['failed', true], ['failed', true]]);
    expect(rows[0].last_error).toMatch(/^Xero answered 409/);
    await makeDue(actor);
    await drain();
    await expectEachPostedOnce(actor, xero, 2);
  });

  it('matches a replayed answer to the journals by their Url when only some of the call are left to finish', async () => {
    const xero = xeroDouble();
    const { actor } = await givenJournals(3);
    await givenXeroConnection(t.db, actor);
    xero.afterCreate.push({ status: 504, body: 'Gateway Timeout' });
    await drain();
    // As if the first journal had been recorded done by an earlier worker before the others.
    const [first] = await rowsOf(actor);
    const made = xero.journalsCreated();
    await t.db('outbox').where({ id: first.id }).update({ status: 'done', external_id: made[0].id });
    await makeDue(actor);
    await drain();
    expect(xero.received[1].body.ManualJournals).toHaveLength(2);
    await expectEachPostedOnce(actor, xero, 3);
  });
});
