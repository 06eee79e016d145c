import { Db } from '../../../db';
import { Conflict } from '../../../errors';
import { XeroConnection, xeroConnection } from '../connections';
import { callsLeftToday, PULL_RESERVE } from '../limits';

/** The organisation's Xero connection, ready to call; a person is told to connect or reconnect otherwise. */
export async function connectedXero(db: Db, tenantId: string): Promise<XeroConnection> {
  const c = await xeroConnection(db, tenantId);
  if (!c || c.status === 'disconnected') throw new Conflict('Connect Xero first (Settings → Xero)');
  if (c.status !== 'connected') throw new Conflict('Xero needs reconnecting (Settings → Xero) before it can be used');
  return c;
}

export type SyncCursors = Partial<Record<string, string>>;

export async function syncCursors(db: Db, c: Pick<XeroConnection, 'tenantId' | 'id'>): Promise<SyncCursors> {
  const row = await db('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).first('sync_cursors');
  return (typeof row?.sync_cursors === 'string' ? JSON.parse(row.sync_cursors) : row?.sync_cursors ?? {}) as SyncCursors;
}

/** One cursor written without touching the others (jsonb ||), so steps never overwrite each other's. */
export async function saveCursor(db: Db, c: Pick<XeroConnection, 'tenantId' | 'id'>, name: string, at: Date): Promise<void> {
  await db('accounting_connections').where({ tenant_id: c.tenantId, id: c.id })
    .update({ sync_cursors: db.raw('sync_cursors || ?::jsonb', [JSON.stringify({ [name]: at.toISOString() })]) });
}

/**
 * "Sync now": due at once for the sync worker. Refused while a pull is running, since a second
 * worker would otherwise take the connection up while the first still holds it.
 */
export async function markSyncDue(db: Db, tenantId: string): Promise<{ nextSyncAt: string }> {
  const c = await connectedXero(db, tenantId);
  // A 'running' whose lease has run out is a worker that died mid-sync: that one may be marked.
  const [row] = await db('accounting_connections').where({ tenant_id: tenantId, id: c.id })
    .where((w) => w.whereNot('sync_status', 'running').orWhere('next_sync_at', '<=', db.fn.now()))
    .update({ next_sync_at: db.fn.now() }).returning('next_sync_at');
  if (!row) throw new Conflict('A Xero sync is running now; its results will show when it finishes');
  return { nextSyncAt: new Date(row.next_sync_at).toISOString() };
}

/** Xero says fewer calls are left today than the reserve kept for posting journals. */
export function reserveReached(connectionId: string): number | null {
  const left = callsLeftToday(connectionId);
  return left !== undefined && left < PULL_RESERVE ? left : null;
}

/**
 * The cursor to save when a paged pull stops early (oldest first, so everything before it was
 * seen): a millisecond back, so a record sharing the last one's UpdatedDateUTC on the next page
 * is fetched again rather than skipped.
 */
export const resumeFrom = (cursor: Date | undefined): Date | undefined => (cursor ? new Date(cursor.getTime() - 1) : undefined);
