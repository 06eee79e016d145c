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

/** sync_cursors entries saying when a step that runs at most so often last ran (dropped by "Sync now"). */
const RAN_AT = 'ranAt:';
export const ranAtKey = (step: string): string => `${RAN_AT}${step}`;

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
 * "Sync now": due at once for the sync worker, and every step runs, the hourly ones too (their
 * "last ran" entries are dropped): the person asking may have just changed the chart or a lock
 * date in Xero. Refused while a pull is running, since a second worker would otherwise take the
 * connection up while the first still holds it.
 */
export async function markSyncDue(db: Db, tenantId: string): Promise<{ nextSyncAt: string }> {
  const c = await connectedXero(db, tenantId);
  // A 'running' whose lease has run out is a worker that died mid-sync: that one may be marked.
  const [row] = await db('accounting_connections').where({ tenant_id: tenantId, id: c.id })
    .where((w) => w.whereNot('sync_status', 'running').orWhere('next_sync_at', '<=', db.fn.now()))
    .update({
      next_sync_at: db.fn.now(),
      sync_cursors: db.raw("(select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from jsonb_each(accounting_connections.sync_cursors) where key not like ?)", [`${RAN_AT}%`]),
    }).returning('next_sync_at');
  if (!row) throw new Conflict('A Xero sync is running now; its results will show when it finishes');
  return { nextSyncAt: new Date(row.next_sync_at).toISOString() };
}

/** Xero says (within the last hour) fewer calls are left today than the reserve kept for posting journals. */
export function reserveReached(connectionId: string, now: number = Date.now()): number | null {
  const left = callsLeftToday(connectionId, now);
  return left !== undefined && left < PULL_RESERVE ? left : null;
}

/**
 * How far back of the newest UpdatedDateUTC seen a cursor is saved. A record Xero commits late
 * with an earlier timestamp, or one sharing the newest instant that was not yet visible (or sat
 * on the next page of a pull that stopped early), is then fetched again next time rather than
 * skipped for good. Every write is an upsert, so seeing a record twice is harmless.
 */
export const CURSOR_OVERLAP_MS = 5 * 60_000;

/**
 * The cursor to save for a pull that started from `since` and has seen everything up to `seen`
 * (lists are read oldest change first, so this holds for a pull that stopped part-way too): a few
 * minutes back of `seen`, never behind `since`. Undefined when there is nothing to move.
 */
export function resumeFrom(seen: Date | undefined, since?: Date): Date | undefined {
  if (!seen || (since && seen <= since)) return undefined;
  const back = new Date(seen.getTime() - CURSOR_OVERLAP_MS);
  return since && back <= since ? undefined : back;
}
