import { XeroDeps } from '../api';
import { XeroConnection, xeroConnection } from '../connections';
import { callsLeftToday } from '../limits';
import { PushError } from '../../accounting-connector';
import { refreshOrganisation } from './organisation';
import { pullAccounts } from './accounts';
import { pullSuppliers } from './contacts';
import { pullItems } from './items';
import { pullPurchaseOrders } from './purchase-orders';
import { reserveReached, saveCursor, syncCursors } from './connection';

/** What a step gets: the connection, and a way to report how far it has got (records done, of total when known). */
export type SyncContext = { deps: XeroDeps; connection: XeroConnection; progress(done: number, total?: number): Promise<void> };

/**
 * One pull. `cursor` names its entry in sync_cursors: the step is given the last one saved (sent
 * as If-Modified-Since) and returns the newest UpdatedDateUTC it saw, saved only if it succeeds,
 * so a pull that fails halfway is repeated from the same point (every write is an upsert).
 * Bills and sales invoices are further steps appended to XERO_PULL_STEPS.
 */
export type SyncStep = { name: string; cursor?: string; run(ctx: SyncContext, since?: Date): Promise<StepOutcome | void> };
/** `paused`: the step stopped early to keep the day's reserve; its cursor says where to resume. */
export type StepOutcome = { cursor?: Date; paused?: boolean };

export const XERO_PULL_STEPS: SyncStep[] = [
  { name: 'organisation', run: async (ctx) => { await refreshOrganisation(ctx.deps, ctx.connection); } },
  // The whole chart every time: one call either way (Xero does not page accounts), and only a
  // full list shows an account deleted in Xero.
  { name: 'accounts', run: async (ctx) => { await pullAccounts(ctx.deps, ctx.connection); } },
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
  const cursors = await syncCursors(deps.db, connection);
  const row = () => deps.db('accounting_connections').where({ tenant_id: tenantId, id: connection.id });
  for (const step of opts.steps ?? XERO_PULL_STEPS) {
    const left = reserveReached(connection.id);
    if (left !== null) return paused(deps, connection, `Pulls paused before ${step.name}: Xero allows ${left} more calls today, kept for posting journals`);
    const progress = (done: number, total?: number) => writeProgress(deps, connection, { phase: step.name, done, total: total ?? null });
    await progress(0);
    try {
      const since = step.cursor && cursors[step.cursor] ? new Date(cursors[step.cursor]!) : undefined;
      const out = await step.run({ deps, connection, progress }, since);
      if (step.cursor && out?.cursor && (!since || out.cursor > since)) await saveCursor(deps.db, connection, step.cursor, out.cursor);
      if (out?.paused) return paused(deps, connection, `Pulls paused during ${step.name}: Xero allows ${callsLeftToday(connection.id)} more calls today, kept for posting journals; the pull resumes where it stopped`);
    } catch (err) {
      const message = `${step.name}: ${String((err as Error)?.message ?? err)}`.slice(0, 2000);
      await row().update({ last_sync_error: message, sync_progress: null });
      return { status: 'failed', message, retryAfterMs: err instanceof PushError ? err.retryAfterMs : undefined };
    }
  }
  await row().update({ last_sync_at: deps.db.fn.now(), last_sync_error: null, sync_progress: null });
  return { status: 'done' };
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
