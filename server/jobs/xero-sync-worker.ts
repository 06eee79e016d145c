import { Db } from '../db';
import { Logger } from '../logger';
import { XeroDeps } from '../connectors/xero/api';
import { syncConnection, SyncResult, SyncStep } from '../connectors/xero/sync/run';
import { msFromNow, startPolling } from './queue';

/**
 * How often a connected organisation is pulled (Xero sends no events for POs or items). Every 10
 * minutes is 144 runs a day: with the organisation and chart pulled hourly that is about
 * 3 × 144 + 2 × 24 ≈ 480 calls a day when nothing changes, inside the Starter tier's 1,000 with
 * room for journals (see XERO_PULL_STEPS). "Sync now" is there for a person who cannot wait.
 */
export const SYNC_EVERY_MS = 10 * 60_000;
const LEASE = "now() + interval '10 minutes'";
const MAX_BACKOFF_MS = 60 * 60_000;

type SyncOptions = { log?: Logger; batch?: number; steps?: SyncStep[] };

/**
 * Pulls each connection that is due. A connection is claimed with FOR UPDATE SKIP LOCKED in a
 * short transaction that only leases it (next_sync_at ten minutes on, sync_status 'running'), so
 * two workers never pull one organisation at once and a crash mid-sync leaves it to be retried
 * when the lease runs out. The pull itself calls Xero, so it runs outside any transaction.
 */
export async function drainXeroSync(db: Db, deps: XeroDeps, opts: SyncOptions = {}): Promise<number> {
  let done = 0;
  for (let i = 0; i < (opts.batch ?? 10); i++) {
    const claimed = await claimDueConnection(db);
    if (!claimed) break;
    let result: SyncResult;
    try {
      result = await syncConnection(deps, claimed.tenant_id, { steps: opts.steps });
    } catch (err) {
      result = { status: 'failed', message: String((err as Error)?.message ?? err) };
    }
    await release(db, claimed, result);
    if (result.status === 'failed') opts.log?.warn({ event: 'xero_sync.failed', tenantId: claimed.tenant_id, error: result.message }, 'Xero sync failed');
    done++;
  }
  return done;
}

async function claimDueConnection(db: Db): Promise<Record<string, any> | undefined> {
  return db.transaction(async (trx) => {
    const row = await trx('accounting_connections').where({ provider: 'xero', status: 'connected' }).where('next_sync_at', '<=', trx.fn.now())
      .orderBy('next_sync_at').forUpdate().skipLocked().first('tenant_id', 'id', 'last_sync_at', 'created_at');
    if (!row) return undefined;
    await trx('accounting_connections').where({ tenant_id: row.tenant_id, id: row.id }).update({ next_sync_at: trx.raw(LEASE), sync_status: 'running' });
    return row;
  });
}

/**
 * Next pull in SYNC_EVERY_MS; after a failure, a wait that grows with how long the connection has
 * gone without a good sync (half of it, ten minutes to an hour), or what a 429 asked for.
 */
async function release(db: Db, c: Record<string, any>, result: SyncResult): Promise<void> {
  const since = new Date(c.last_sync_at ?? c.created_at).getTime();
  const failing = Math.min(MAX_BACKOFF_MS, Math.max(SYNC_EVERY_MS, (Date.now() - since) / 2));
  const wait = result.retryAfterMs ?? (result.status === 'failed' ? failing : SYNC_EVERY_MS);
  await db('accounting_connections').where({ tenant_id: c.tenant_id, id: c.id }).update({
    next_sync_at: msFromNow(db, Math.round(wait)),
    sync_status: result.status === 'failed' ? 'failed' : 'idle',
    ...(result.status === 'failed' && result.message ? { last_sync_error: result.message.slice(0, 2000) } : {}),
  });
}

export function startXeroSyncWorker(db: Db, deps: XeroDeps, opts: SyncOptions & { intervalMs?: number } = {}) {
  return startPolling('xero_sync', () => drainXeroSync(db, deps, opts), { log: opts.log, intervalMs: opts.intervalMs ?? 15_000 });
}
