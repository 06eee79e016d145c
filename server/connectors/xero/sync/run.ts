import { XeroDeps } from '../api';
import { XeroConnection, xeroConnection } from '../connections';
import { callsLeftToday } from '../limits';
import { PushError } from '../../accounting-connector';
import { refreshOrganisation } from './organisation';
import { pullAccounts } from './accounts';
import { pullSuppliers } from './contacts';
import { pullItems } from './items';
import { pullPurchaseOrders } from './purchase-orders';
import { ranAtKey, reserveReached, resumeFrom, saveCursor, SyncCursors, syncCursors } from './connection';

/**
 * What a step gets: the connection, and a way to report how far it has got (records done, of
 * total when known, and for a paged list the newest UpdatedDateUTC seen so far, saved as its
 * cursor at once so that a failure on a later page resumes there).
 */
export type SyncContext = { deps: XeroDeps; connection: XeroConnection; progress(done: number, total?: number, seen?: Date): Promise<void> };

/**
 * One pull. `cursor` names its entry in sync_cursors: the step is given the last one saved (sent
 * as If-Modified-Since) and returns the newest UpdatedDateUTC it saw; the cursor saved is a few
 * minutes back of that (resumeFrom), so a record Xero commits late is still fetched. A paged
 * pull that fails part-way keeps what its pages reported through `progress` (every write is an
 * upsert, so the overlap is harmless). `everyMs`: the step runs at most that often (its last run
 * is kept in sync_cursors), except on "Sync now". Bills and sales invoices are further steps
 * appended to XERO_PULL_STEPS.
 */
export type SyncStep = { name: string; cursor?: string; everyMs?: number; run(ctx: SyncContext, since?: Date): Promise<StepOutcome | void> };
/** `paused`: the step stopped early to keep the day's reserve; its cursor says where to resume. */
export type StepOutcome = { cursor?: Date; paused?: boolean };

const HOUR_MS = 60 * 60_000;

/**
 * The call budget. The worker pulls every 10 minutes (SYNC_EVERY_MS), 144 times a day; suppliers,
 * items and purchase orders cost at least one call each, 3 × 144 = 432 calls, while the
 * organisation and the chart change rarely and run hourly, 2 × 24 = 48: about 480 calls a day
 * when nothing changes, under half of the Starter tier's 1,000, leaving room for journals (up to
 * 50 a call), bills fetched from webhooks, and extra pages on a busy day. (Every step every 5
 * minutes would be 5 × 288 = 1,440, over that tier's allowance.)
 */
export const XERO_PULL_STEPS: SyncStep[] = [
  // The lock dates the journal poster re-dates into come from here: hourly, and on "Sync now".
  { name: 'organisation', everyMs: HOUR_MS, run: async (ctx) => { await refreshOrganisation(ctx.deps, ctx.connection); } },
  // The whole chart each time it runs: one call either way (Xero does not page accounts), and
  // only a full list shows an account deleted in Xero.
  { name: 'accounts', everyMs: HOUR_MS, run: async (ctx) => { await pullAccounts(ctx.deps, ctx.connection); } },
  { name: 'suppliers', cursor: 'contacts', run: (ctx, since) => pullSuppliers(ctx.deps, ctx.connection, since, ctx.progress) },
  { name: 'items', cursor: 'items', run: (ctx, since) => pullItems(ctx.deps, ctx.connection, since) },
  { name: 'purchase_orders', cursor: 'purchaseOrders', run: (ctx, since) => pullPurchaseOrders(ctx.deps, ctx.connection, since, ctx.progress) },
];

export type SyncResult = { status: 'done' | 'skipped' | 'failed'; message?: string; retryAfterMs?: number };

/** Pulls wait this long once the day's allowance is down to the reserve kept for journals. */
export const RESERVE_WAIT_MS = 60 * 60_000;

/**
 * Run the pulls for one organisation in order, writing sync_progress as they go and
 * last_sync_at / last_sync_error at the end. The first failure stops the run (the steps after it
 * would likely fail the same way); the cursors of the steps before it are kept. Pulls stop while
 * Xero says fewer than PULL_RESERVE calls are left today (between steps, and between pages of a
 * long list), so journals keep flowing on a small tier after a large first sync.
 */
export async function syncConnection(deps: XeroDeps, tenantId: string, opts: { steps?: SyncStep[] } = {}): Promise<SyncResult> {
  const connection = await xeroConnection(deps.db, tenantId);
  if (!connection || connection.status !== 'connected') return { status: 'skipped', message: 'Xero is not connected' };
  const now = () => (deps.now ?? (() => new Date()))();
  const cursors = await syncCursors(deps.db, connection);
  const row = () => deps.db('accounting_connections').where({ tenant_id: tenantId, id: connection.id });
  for (const step of opts.steps ?? XERO_PULL_STEPS) {
    if (!due(step, cursors, now())) continue;
    const left = reserveReached(connection.id, now().getTime());
    if (left !== null) return paused(deps, connection, `Pulls paused before ${step.name}: Xero allows ${left} more calls today, kept for posting journals`);
    const since = step.cursor && cursors[step.cursor] ? new Date(cursors[step.cursor]!) : undefined;
    const keep = async (seen?: Date) => {
      const at = step.cursor ? resumeFrom(seen, since) : undefined;
      if (at) await saveCursor(deps.db, connection, step.cursor!, at);
    };
    const progress = async (done: number, total?: number, seen?: Date) => {
      await writeProgress(deps, connection, { phase: step.name, done, total: total ?? null });
      await keep(seen);
    };
    await progress(0);
    try {
      const out = await step.run({ deps, connection, progress }, since);
      await keep(out?.cursor);
      if (step.everyMs) await saveCursor(deps.db, connection, ranAtKey(step.name), now());
      if (out?.paused) return paused(deps, connection, `Pulls paused during ${step.name}: Xero allows ${callsLeftToday(connection.id, now().getTime())} more calls today, kept for posting journals; the pull resumes where it stopped`);
    } catch (err) {
      const message = `${step.name}: ${String((err as Error)?.message ?? err)}`.slice(0, 2000);
      await row().update({ last_sync_error: message, sync_progress: null });
      return { status: 'failed', message, retryAfterMs: err instanceof PushError ? err.retryAfterMs : undefined };
    }
  }
  await row().update({ last_sync_at: deps.db.fn.now(), last_sync_error: null, sync_progress: null });
  return { status: 'done' };
}

/** A step with `everyMs` is due when it has not run (or "Sync now" dropped its last run) for that long. */
function due(step: SyncStep, cursors: SyncCursors, now: Date): boolean {
  const last = step.everyMs ? cursors[ranAtKey(step.name)] : undefined;
  return !last || now.getTime() - Date.parse(last) >= step.everyMs!;
}

async function paused(deps: XeroDeps, c: XeroConnection, message: string): Promise<SyncResult> {
  await deps.db('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).update({ last_sync_error: message, sync_progress: null });
  return { status: 'skipped', message, retryAfterMs: RESERVE_WAIT_MS };
}

/**
 * Progress for the connection page. While the worker holds the connection (sync_status
 * 'running') each write also renews its lease, so a long first sync is never taken up by a
 * second worker when the first lease runs out.
 */
async function writeProgress(deps: XeroDeps, c: XeroConnection, p: { phase: string; done: number; total: number | null }): Promise<void> {
  await deps.db('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).update({
    sync_progress: JSON.stringify(p),
    next_sync_at: deps.db.raw("case when sync_status = 'running' then greatest(next_sync_at, now() + interval '10 minutes') else next_sync_at end"),
  });
}
