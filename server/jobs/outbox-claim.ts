import crypto from 'node:crypto';
import { Db, Trx } from '../db';
import { MAX_JOURNALS_PER_CALL } from '../connectors/accounting-connector';
import { gateAfterClaim, holdForGate, lockGate } from './posting-gate';

type Row = Record<string, any>;
/** Outbox rows to send in one call, under one Idempotency-Key. */
export type OutboxBatch = { tenantId: string; sendKey: string; rows: Row[] };
/** The organisation's gate is closed (posting-gate.ts): its due rows now wait until `until`. */
export type Held = { held: string; until: Date };
/**
 * `gatherMs`: after a call that was not full, the organisation's next call waits this long, so
 * journals arriving faster go together. `skipTenants`: organisations this worker has a call
 * in flight for (their next call waits for that one's answer).
 */
export type Pace = { gatherMs?: number; skipTenants?: string[] };

/**
 * Claim the next due posting and, in the same short transaction, the rows that must or may go
 * with it, leasing them all (as claimDue does for one row):
 * - a row already sent under a key goes again under that key with every unfinished row sent
 *   with it, so a lost answer is replayed by Xero rather than posted twice;
 * - a row never sent takes up to MAX_JOURNALS_PER_CALL - 1 other never-sent due rows of its
 *   organisation, and they get a new key together.
 * 'busy': a companion is locked by another worker's claim; try again on the next round. Held:
 * the organisation's gate is closed (pacing, an outage probe): nothing is claimed for it now.
 */
export async function claimOutboxBatch(db: Db, max = MAX_JOURNALS_PER_CALL, pace: Pace = {}): Promise<OutboxBatch | Held | 'busy' | undefined> {
  return db.transaction(async (trx) => {
    const row = await due(trx).whereNotIn('tenant_id', pace.skipTenants ?? []).orderBy('next_attempt_at').forUpdate().skipLocked().first();
    if (!row) return undefined;
    // Every claim of an organisation takes its gate's lock before any other of its rows (those
    // with SKIP LOCKED only), so claims of one organisation queue here and cannot deadlock.
    const gate = await lockGate(trx, row.tenant_id);
    if (gate.closedUntil) {
      await holdForGate(trx, row.tenant_id, gate.closedUntil);
      return { held: row.tenant_id, until: gate.closedUntil };
    }
    let rows: Row[];
    let sendKey: string;
    if (row.send_key) {
      const mates = await trx('outbox').where({ tenant_id: row.tenant_id, send_key: row.send_key }).whereNot('status', 'done').whereNot('id', row.id).forUpdate().skipLocked();
      const [{ n }] = await trx('outbox').where({ tenant_id: row.tenant_id, send_key: row.send_key }).whereNot('status', 'done').count('* as n');
      if (mates.length + 1 !== Number(n)) return 'busy';
      rows = [row, ...mates];
      sendKey = row.send_key;
    } else {
      const more = max > 1
        ? await due(trx).where({ tenant_id: row.tenant_id }).whereNull('send_key').whereNot('id', row.id).orderBy('next_attempt_at').limit(max - 1).forUpdate().skipLocked()
        : [];
      rows = [row, ...more];
      sendKey = more.length ? `batch-${crypto.randomUUID()}` : singleKey(row);
    }
    // Always in the order they were made: a replayed answer lists the journals as first sent.
    rows.sort((a, b) => Number(new Date(a.created_at)) - Number(new Date(b.created_at)) || String(a.id).localeCompare(String(b.id)));
    await trx('outbox').whereIn('id', rows.map((r) => r.id)).where({ tenant_id: row.tenant_id }).update({
      // Longer than the slowest call (a token refresh, a 30 s call, a 401, another refresh and
      // call): a second worker must not take the rows up while the first still waits on Xero.
      next_attempt_at: trx.raw("now() + interval '5 minutes'"),
      attempts: trx.raw('attempts + 1'),
      send_key: sendKey,
      updated_at: trx.fn.now(),
    });
    await gateAfterClaim(trx, row.tenant_id, gate, { full: rows.length >= max, gatherMs: pace.gatherMs ?? 0 });
    return { tenantId: row.tenant_id, sendKey, rows: rows.map((r) => ({ ...r, attempts: r.attempts + 1 })) };
  });
}

const due = (trx: Trx) => trx('outbox').where({ topic: 'journal.post' }).whereIn('status', ['pending', 'failed']).where('next_attempt_at', '<=', trx.fn.now());

/**
 * One journal alone goes under its own id. A row with no send_key but an error was refused
 * outright before (send_key cleared): it gets a fresh key, as an idempotency store may replay
 * the refusal for the old one.
 */
function singleKey(row: Row): string {
  return row.last_error ? `${row.journal_id}.${crypto.randomBytes(4).toString('hex')}` : String(row.journal_id);
}
