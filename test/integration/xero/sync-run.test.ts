import nock from 'nock';
import { givenOrganisation, givenPart } from '../../support/builders';
import { forgetLimits, noteLimits } from '../../../server/connectors/xero/limits';
import { markSyncDue } from '../../../server/connectors/xero/sync/connection';
import { syncConnection, SyncStep, XERO_PULL_STEPS } from '../../../server/connectors/xero/sync/run';
import { drainXeroSync } from '../../../server/jobs/xero-sync-worker';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection, xeroTestFile } from './xero-double';
import { account, accountsResponse, contact, contactsResponse, item, itemsResponse, onGet, organisationResponse, purchaseOrder, purchaseOrdersResponse } from './sync-fixtures';

const t = xeroTestFile();

async function connected(): Promise<Actor> {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BRG-6204');
  const { connectionId } = await givenXeroConnection(t.db, actor);
  connections.set(actor.tenantId, connectionId);
  return actor;
}
const connections = new Map<string, string>();
const row = (actor: Actor) => t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first();
const secondsUntilNextSync = async (actor: Actor) => Number((await t.db.raw('select extract(epoch from (next_sync_at - now())) as s from accounting_connections where tenant_id = ?', [actor.tenantId])).rows[0].s);

/** The cursors a sync saved, without the hourly steps' "last ran" entries. */
const cursorsOf = async (actor: Actor) => Object.fromEntries(Object.entries((await row(actor)).sync_cursors).filter(([k]) => !k.startsWith('ranAt:')));
const ranAt = async (actor: Actor) => Object.keys((await row(actor)).sync_cursors).filter((k) => k.startsWith('ranAt:')).sort();
/** The hourly steps' last runs moved back by `minutes`, as if that long had passed. */
const hourlyRanAgo = (actor: Actor, minutes: number) => t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({
  sync_cursors: t.db.raw("sync_cursors || jsonb_build_object('ranAt:organisation', ?::text, 'ranAt:accounts', ?::text)", [...Array(2)].map(() => new Date(Date.now() - minutes * 60_000).toISOString())),
});

/** Xero's answer to GET /PurchaseOrders, given the query and the If-Modified-Since sent. */
type PoReply = (q: Record<string, string>, ifModifiedSince?: string) => [number, unknown] | [number, unknown, Record<string, string>];
const PO_7 = () => purchaseOrder({ number: 'PO-7', updated: '2026-11-04T04:00:00Z', lines: [{ itemCode: 'BRG-6204', quantity: 3, unitAmount: 2 }] });

/** Xero for one whole sync: each list once (POs `poTimes` pages), in the order the pulls run. */
function xeroForOneSync(opts: { dayLeft?: string; itemsStatus?: number; poPage?: { pos: ReturnType<typeof purchaseOrder>[]; itemCount: number; dayLeft: string }; pos?: PoReply; poTimes?: number } = {}) {
  const limits: Record<string, string> = opts.dayLeft ? { 'x-daylimit-remaining': opts.dayLeft } : {};
  const poPage = opts.poPage;
  const pos: PoReply = opts.pos ?? (() => (poPage
    ? [200, purchaseOrdersResponse(poPage.pos, 1, poPage.itemCount), { 'x-daylimit-remaining': poPage.dayLeft }]
    : [200, purchaseOrdersResponse([PO_7()])]));
  const purchaseOrders: ReturnType<typeof onGet> = onGet('/PurchaseOrders', (q) => pos(q, purchaseOrders.seen[purchaseOrders.seen.length - 1]?.ifModifiedSince), opts.poTimes ?? 1);
  return {
    organisation: onGet('/Organisation', () => [200, organisationResponse({ periodLockDate: '2026-10-31' }), limits]),
    accounts: onGet('/Accounts', () => [200, accountsResponse([account({ code: '630', name: 'Raw materials', type: 'CURRENT', updated: '2026-11-01T01:00:00Z' })])]),
    contacts: onGet('/Contacts', () => [200, contactsResponse([contact({ name: 'Acme', updated: '2026-11-02T02:00:00Z' })], { page: 1, itemCount: 1 })]),
    items: onGet('/Items', () => (opts.itemsStatus ? [opts.itemsStatus, { Title: 'Service Unavailable' }] : [200, itemsResponse([item({ code: 'BRG-6204', updated: '2026-11-03T03:00:00Z' })])])),
    purchaseOrders,
  };
}

describe('a sync of one organisation', () => {
  it('pulls the organisation, the whole chart, then suppliers, items and POs, saving each cursor five minutes back of the newest change and sending it as If-Modified-Since next time', async () => {
    const actor = await connected();
    const first = xeroForOneSync();
    expect(await syncConnection(t.deps, actor.tenantId)).toEqual({ status: 'done' });
    expect([first.accounts, first.contacts, first.items, first.purchaseOrders].map((x) => x.seen[0].ifModifiedSince)).toEqual([undefined, undefined, undefined, undefined]);
    expect(await t.db('external_accounts').where({ tenant_id: actor.tenantId }).pluck('code')).toEqual(['630']);
    const r = await row(actor);
    expect(r).toMatchObject({ period_lock_date: '2026-10-31', last_sync_error: null, sync_progress: null, last_sync_at: expect.any(Date) });
    expect(await cursorsOf(actor)).toEqual({ contacts: '2026-11-02T01:55:00.000Z', items: '2026-11-03T02:55:00.000Z', purchaseOrders: '2026-11-04T03:55:00.000Z' });
    expect(await t.db('purchase_orders').where({ tenant_id: actor.tenantId }).pluck('number')).toEqual(['PO-7']);

    const second = xeroForOneSync();
    await syncConnection(t.deps, actor.tenantId);
    expect([second.contacts, second.items, second.purchaseOrders].map((x) => x.seen[0].ifModifiedSince))
      .toEqual(['2026-11-02T01:55:00.000Z', '2026-11-03T02:55:00.000Z', '2026-11-04T03:55:00.000Z']);
    expect(await t.db('purchase_orders').where({ tenant_id: actor.tenantId }).pluck('number')).toEqual(['PO-7']);
    // Nothing newer than the cursor came back: it stays where it was rather than stepping back again.
    expect(await cursorsOf(actor)).toEqual({ contacts: '2026-11-02T01:55:00.000Z', items: '2026-11-03T02:55:00.000Z', purchaseOrders: '2026-11-04T03:55:00.000Z' });
  });

  it('pulls the organisation and the chart at most hourly, and every step when a person asks for a sync now', async () => {
    const actor = await connected();
    const first = xeroForOneSync();
    await syncConnection(t.deps, actor.tenantId);
    expect([first.organisation.seen.length, first.accounts.seen.length]).toEqual([1, 1]);
    expect(await ranAt(actor)).toEqual(['ranAt:accounts', 'ranAt:organisation']);

    const within = xeroForOneSync();
    expect(await syncConnection(t.deps, actor.tenantId)).toEqual({ status: 'done' });
    expect([within.organisation.seen.length, within.accounts.seen.length, within.contacts.seen.length, within.items.seen.length, within.purchaseOrders.seen.length]).toEqual([0, 0, 1, 1, 1]);

    nock.cleanAll(); // the answers not asked for
    await hourlyRanAgo(actor, 61);
    const anHourOn = xeroForOneSync();
    await syncConnection(t.deps, actor.tenantId);
    expect([anHourOn.organisation.seen.length, anHourOn.accounts.seen.length]).toEqual([1, 1]);

    // "Sync now" straight after: every step again, though the hour is not up.
    nock.cleanAll();
    await markSyncDue(t.db, actor.tenantId);
    expect(await ranAt(actor)).toEqual([]);
    expect(await cursorsOf(actor)).toMatchObject({ contacts: '2026-11-02T01:55:00.000Z' });
    const now = xeroForOneSync();
    await syncConnection(t.deps, actor.tenantId);
    expect([now.organisation.seen.length, now.accounts.seen.length, now.contacts.seen.length, now.items.seen.length, now.purchaseOrders.seen.length]).toEqual([1, 1, 1, 1, 1]);
  });

  it('takes in a record Xero committed late with a time before the newest one seen', async () => {
    const actor = await connected();
    xeroForOneSync();
    await syncConnection(t.deps, actor.tenantId);
    const late = purchaseOrder({ number: 'PO-8', updated: '2026-11-04T03:58:00Z', lines: [{ itemCode: 'BRG-6204', quantity: 1, unitAmount: 2 }] });
    // Xero answers with what changed at or after If-Modified-Since: PO-8 carries an earlier time
    // than PO-7, but was committed after the first sync had read the list.
    const changedSince: PoReply = (_q, since) => [200, purchaseOrdersResponse([late, PO_7()].filter((p) => !since || Number(/\d+/.exec(p.UpdatedDateUTC)![0]) >= Date.parse(since)))];
    const next = xeroForOneSync({ pos: changedSince });
    await syncConnection(t.deps, actor.tenantId);
    expect(next.purchaseOrders.seen[0].ifModifiedSince).toBe('2026-11-04T03:55:00.000Z');
    expect(await t.db('purchase_orders').where({ tenant_id: actor.tenantId }).orderBy('number').pluck('number')).toEqual(['PO-7', 'PO-8']);
  });

  it('stops at a failing pull, keeps the cursors of the pulls before it, and records the error', async () => {
    const actor = await connected();
    const xero = xeroForOneSync({ itemsStatus: 503 });
    const result = await syncConnection(t.deps, actor.tenantId);
    expect(result).toMatchObject({ status: 'failed', message: 'items: Xero is unavailable (503)' });
    expect(xero.purchaseOrders.scope.isDone()).toBe(false);
    expect(await cursorsOf(actor)).toEqual({ contacts: '2026-11-02T01:55:00.000Z' });
    expect(await row(actor)).toMatchObject({ last_sync_error: 'items: Xero is unavailable (503)', last_sync_at: null });
  });

  it('keeps how far a paged pull got when Xero fails on a later page, and resumes from there', async () => {
    const actor = await connected();
    const page1 = Array.from({ length: 100 }, (_, i) => purchaseOrder({ number: `PO-D${i}`, status: 'DRAFT', updated: `2026-11-04T04:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`, lines: [] }));
    const { purchaseOrders: pos } = xeroForOneSync({ poTimes: 2, pos: (q) => (q.page === '1' ? [200, purchaseOrdersResponse(page1, 1, 150)] : [503, { Title: 'Service Unavailable' }]) });

    const result = await syncConnection(t.deps, actor.tenantId);

    expect(result).toMatchObject({ status: 'failed', message: 'purchase_orders: Xero is unavailable (503)' });
    expect(pos.seen.map((s) => s.query.page)).toEqual(['1', '2']);
    // The newest on page 1 was 04:01:39; five minutes back of it.
    expect((await cursorsOf(actor)).purchaseOrders).toBe('2026-11-04T03:56:39.000Z');
    const next = xeroForOneSync();
    await syncConnection(t.deps, actor.tenantId);
    expect(next.purchaseOrders.seen[0].ifModifiedSince).toBe('2026-11-04T03:56:39.000Z');
  });

  it('skips the pulls while fewer calls are left today than the reserve kept for journals', async () => {
    const actor = await connected();
    const xero = xeroForOneSync({ dayLeft: '150' });
    const result = await syncConnection(t.deps, actor.tenantId);
    expect(result).toMatchObject({ status: 'skipped', retryAfterMs: 3_600_000 });
    expect(xero.organisation.scope.isDone()).toBe(true);
    expect(xero.accounts.seen).toEqual([]);
    expect((await row(actor)).last_sync_error).toBe('Pulls paused before accounts: Xero allows 150 more calls today, kept for posting journals');
  });

  it('pulls again once the day figure that paused it is an hour old, though nothing else has asked Xero since', async () => {
    const actor = await connected();
    const connectionId = connections.get(actor.tenantId)!;
    noteLimits(connectionId, { status: 200, headers: { 'x-daylimit-remaining': '150' } }, Date.now() - 61 * 60_000);
    const xero = xeroForOneSync();
    expect(await syncConnection(t.deps, actor.tenantId)).toEqual({ status: 'done' });
    expect(xero.purchaseOrders.seen).toHaveLength(1);

    // A figure from within the hour still holds the pulls back.
    forgetLimits();
    noteLimits(connectionId, { status: 200, headers: { 'x-daylimit-remaining': '150' } }, Date.now() - 59 * 60_000);
    await markSyncDue(t.db, actor.tenantId);
    xeroForOneSync();
    expect(await syncConnection(t.deps, actor.tenantId)).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^Pulls paused before organisation/) });
  });

  it('stops paging when the reserve is reached mid-list, saves where it stopped, and resumes from there', async () => {
    const actor = await connected();
    const drafts = Array.from({ length: 100 }, (_, i) => purchaseOrder({ number: `PO-D${i}`, status: 'DRAFT', updated: `2026-11-04T04:00:${String(i % 60).padStart(2, '0')}Z`, lines: [] }));
    const first = xeroForOneSync({ poPage: { pos: drafts, itemCount: 250, dayLeft: '150' } });

    const result = await syncConnection(t.deps, actor.tenantId);

    expect(result).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^Pulls paused during purchase_orders: Xero allows 150 more calls today/) });
    expect(first.purchaseOrders.seen.map((s) => [s.query.page, s.query.order])).toEqual([['1', 'UpdatedDateUTC ASC']]);
    expect((await cursorsOf(actor)).purchaseOrders).toBe('2026-11-04T03:55:59.000Z');

    // A new day (the limits forgotten): the next sync asks only for what it has not seen.
    forgetLimits();
    const next = xeroForOneSync();
    expect(await syncConnection(t.deps, actor.tenantId)).toEqual({ status: 'done' });
    expect(next.purchaseOrders.seen[0].ifModifiedSince).toBe('2026-11-04T03:55:59.000Z');
  });

  it('shows progress while a step runs, and takes extra steps appended to the list', async () => {
    const actor = await connected();
    const xero = xeroForOneSync();
    let seen: unknown;
    const probe: SyncStep = { name: 'bills', async run(ctx) { await ctx.progress(40, 250); seen = (await row(actor)).sync_progress; } };
    await syncConnection(t.deps, actor.tenantId, { steps: [...XERO_PULL_STEPS, probe] });
    expect(seen).toEqual({ phase: 'bills', done: 40, total: 250 });
    expect(xero.purchaseOrders.scope.isDone()).toBe(true);
  });
});

describe('the sync worker', () => {
  /** Connections left by earlier tests are not due: each test drains only its own. */
  const onlyDue = (actor: Actor) => t.db('accounting_connections').whereNot({ tenant_id: actor.tenantId }).update({ next_sync_at: t.db.raw("now() + interval '1 hour'") });
  const counting = (ms = 0) => {
    const runs: string[] = [];
    const step: SyncStep = { name: 'count', async run(ctx) { runs.push(ctx.connection.tenantId); await new Promise((r) => setTimeout(r, ms)); } };
    return { runs, steps: [step] };
  };

  it('syncs a due connection, leases it while it runs, then schedules the next sync in ten minutes', async () => {
    const actor = await connected();
    await onlyDue(actor);
    let during: any;
    const probe: SyncStep = { name: 'probe', async run() { during = await row(actor); } };
    await drainXeroSync(t.db, t.deps, { steps: [probe] });
    expect(during).toMatchObject({ sync_status: 'running' });
    const r = await row(actor);
    expect(r).toMatchObject({ sync_status: 'idle', last_sync_error: null });
    expect(await secondsUntilNextSync(actor)).toBeGreaterThan(590);
    expect(await secondsUntilNextSync(actor)).toBeLessThanOrEqual(600);

    const again = counting();
    await drainXeroSync(t.db, t.deps, { steps: again.steps });
    expect(again.runs).not.toContain(actor.tenantId);
  });

  it('takes up a connection whose worker died mid-sync once its lease has run out', async () => {
    const actor = await connected();
    await onlyDue(actor);
    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ sync_status: 'running', next_sync_at: t.db.raw("now() + interval '10 minutes'") });
    const runs = counting();
    await drainXeroSync(t.db, t.deps, { steps: runs.steps });
    expect(runs.runs).toEqual([]);
    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ next_sync_at: t.db.raw("now() - interval '1 second'") });
    await drainXeroSync(t.db, t.deps, { steps: runs.steps });
    expect(runs.runs).toEqual([actor.tenantId]);
    expect((await row(actor)).sync_status).toBe('idle');
  });

  it('backs off after a failure and records it', async () => {
    const actor = await connected();
    await onlyDue(actor);
    const failing: SyncStep = { name: 'items', async run() { throw new Error('boom'); } };
    await drainXeroSync(t.db, t.deps, { steps: [failing] });
    expect(await row(actor)).toMatchObject({ sync_status: 'failed', last_sync_error: 'items: boom' });
    expect(await secondsUntilNextSync(actor)).toBeGreaterThan(590);
  });

  it('never syncs one connection twice at once when two workers drain together', async () => {
    const actor = await connected();
    await onlyDue(actor);
    const slow = counting(300);
    const done = await Promise.all([drainXeroSync(t.db, t.deps, { steps: slow.steps }), drainXeroSync(t.db, t.deps, { steps: slow.steps })]);
    expect(slow.runs).toEqual([actor.tenantId]);
    expect(done.sort()).toEqual([0, 1]);
  });
});
