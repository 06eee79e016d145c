import crypto from 'node:crypto';
import { Trx } from '../db';
import { Conflict } from '../errors';
import { RetryTransaction } from './transaction';

export type IdempotencyClaim = { key: string; requestHash: string };
export type StoredResponse = { status: number; body: unknown };

export function hashRequest(parts: unknown[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Same key and same request: the original answer. Same key, another request: 409. */
export async function findReplay(trx: Trx, tenantId: string, claim: IdempotencyClaim): Promise<StoredResponse | null> {
  const row = await trx('idempotency_keys').where({ tenant_id: tenantId, key: claim.key }).first();
  if (!row) return null;
  if (row.request_hash !== claim.requestHash) {
    throw new Conflict(`Idempotency-Key "${claim.key}" was already used for a different request`, 'Idempotency-Key');
  }
  return { status: row.status_code, body: row.response };
}

/** Stored in the same transaction as the work, so the key exists exactly when the work does. */
export async function saveResponse(trx: Trx, tenantId: string, claim: IdempotencyClaim, res: StoredResponse): Promise<void> {
  const inserted = await trx('idempotency_keys')
    .insert({ tenant_id: tenantId, key: claim.key, request_hash: claim.requestHash, status_code: res.status, response: JSON.stringify(res.body) })
    .onConflict(['tenant_id', 'key'])
    .ignore()
    .returning('key');
  // Another request with this key committed first: start again and replay its answer.
  if (inserted.length === 0) throw new RetryTransaction();
}

/**
 * Requests with the same key queue behind one another (a transaction-scoped advisory lock), so a
 * retry that arrives while the original is still running waits for it and replays its answer,
 * instead of racing it and failing on the stock the original has just taken.
 */
async function replayOrQueue(trx: Trx, tenantId: string, claim: IdempotencyClaim): Promise<StoredResponse | null> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`idempotency:${tenantId}:${claim.key}`]);
  return findReplay(trx, tenantId, claim);
}

/**
 * Do the work once per key, inside the caller's transaction: a repeat of the same request
 * gets the first answer (replayed), another request with the key a 409.
 */
export async function withIdempotency<T>(trx: Trx, tenantId: string, claim: IdempotencyClaim | undefined, work: () => Promise<T>): Promise<{ status: number; body: T; replayed: boolean }> {
  if (claim) {
    const replay = await replayOrQueue(trx, tenantId, claim);
    if (replay) return { status: replay.status, body: replay.body as T, replayed: true };
  }
  const body = await work();
  if (claim) await saveResponse(trx, tenantId, claim, { status: 201, body });
  return { status: 201, body, replayed: false };
}
