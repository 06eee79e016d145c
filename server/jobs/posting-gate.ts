import { Db, Trx } from '../db';

/**
 * Per organisation, when its next call to the accounting system may go (table posting_gates).
 * Two things close the gate, and while it is closed the organisation's due journals wait for it
 * without using up attempts:
 * - pacing: after a call that was not full, the next waits `gatherMs`, so journals arriving
 *   faster than that go together (a journal alone still goes at once; a full call does not wait);
 * - an outage: after a call the system did not answer, one call at a time (a probe, carrying
 *   journals) goes every probeDelayMs; the first answer opens the gate and releases them all.
 */
export type Gate = { closedUntil: Date | null; unavailable: boolean; probes: number };

/** Lock the organisation's gate (made on first use) for the claim that holds this transaction. */
export async function lockGate(trx: Trx, tenantId: string): Promise<Gate> {
  await trx('posting_gates').insert({ tenant_id: tenantId }).onConflict('tenant_id').ignore();
  const g = await trx('posting_gates').where({ tenant_id: tenantId }).forUpdate()
    .first('next_call_at', 'unavailable_since', 'probes', trx.raw('next_call_at > now() as closed'));
  return { closedUntil: g.closed ? new Date(g.next_call_at) : null, unavailable: !!g.unavailable_since, probes: Number(g.probes) };
}

/** The organisation's due journals (not locked by another claim) wait for the gate to open. */
export async function holdForGate(trx: Trx, tenantId: string, until: Date): Promise<void> {
  const due = trx('outbox').where({ tenant_id: tenantId, topic: 'journal.post' }).whereIn('status', ['pending', 'failed'])
    .where('next_attempt_at', '<=', trx.fn.now()).forUpdate().skipLocked().select('id');
  await trx('outbox').where({ tenant_id: tenantId }).whereIn('id', due).update({ next_attempt_at: until });
}

/**
 * A call is claimed: when the next may go. During an outage the next probe's time (this call is
 * the probe); after a full call at once; otherwise after `gatherMs`.
 */
export async function gateAfterClaim(trx: Trx, tenantId: string, gate: Gate, o: { full: boolean; gatherMs: number }): Promise<void> {
  const waitMs = gate.unavailable ? probeDelayMs(gate.probes) : o.full ? 0 : o.gatherMs;
  await trx('posting_gates').where({ tenant_id: tenantId }).update({ next_call_at: msLater(trx, waitMs), updated_at: trx.fn.now() });
}

/** The wait between probes: short at first (most outages are brief), never more than 15 s. */
export function probeDelayMs(probes: number): number {
  return Math.min(15_000, 1000 * 2 ** probes);
}

/**
 * The system did not answer this organisation's call: the outage starts (or goes on), and the
 * next probe is due after probeDelayMs. Returns that wait, for the call's journals, and whether
 * the outage was already going on before this call (else the organisation's last call was answered).
 */
export async function noteUnavailable(q: Db | Trx, tenantId: string, reason: string): Promise<{ waitMs: number; ongoing: boolean }> {
  const [g] = await q('posting_gates').where({ tenant_id: tenantId })
    .update({ unavailable_since: q.raw('coalesce(unavailable_since, now())'), unavailable_reason: reason.slice(0, 500), probes: q.raw('probes + 1'), updated_at: q.fn.now() })
    .returning('probes');
  const probes = Number(g?.probes ?? 1);
  const waitMs = probeDelayMs(Math.max(0, probes - 1));
  await q('posting_gates').where({ tenant_id: tenantId }).update({ next_call_at: msLater(q, waitMs) });
  return { waitMs, ongoing: probes > 1 };
}

/**
 * The system answered (whatever it said): an outage is over. The gate opens and every journal
 * held for it is due at once (not those leased by a claim, whose lease runs past the gate).
 */
export async function noteAnswered(q: Db | Trx, tenantId: string): Promise<void> {
  const g = await q('posting_gates').where({ tenant_id: tenantId }).whereNotNull('unavailable_since').forUpdate().first('next_call_at');
  if (!g) return;
  await q('posting_gates').where({ tenant_id: tenantId })
    .update({ unavailable_since: null, unavailable_reason: null, probes: 0, next_call_at: q.fn.now(), updated_at: q.fn.now() });
  await q('outbox').where({ tenant_id: tenantId, topic: 'journal.post' }).whereIn('status', ['pending', 'failed'])
    .where('next_attempt_at', '>', q.fn.now()).where('next_attempt_at', '<=', g.next_call_at)
    .update({ next_attempt_at: q.fn.now(), updated_at: q.fn.now() });
}

/** A person reconnected, or asked to retry: nothing waits for an old gate. */
export async function openGate(q: Db | Trx, tenantId: string): Promise<void> {
  await q('posting_gates').where({ tenant_id: tenantId }).update({ next_call_at: q.fn.now(), updated_at: q.fn.now() });
}

const msLater = (q: Db | Trx, ms: number) => q.raw(`now() + (? || ' milliseconds')::interval`, [String(ms)]);
