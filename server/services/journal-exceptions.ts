import { Db } from '../db';
import { Decimal, money } from '../domain/decimal';
import { explainRefusal, mappingProblems, RefusalAdvice, ROLE_LABELS } from '../domain/accounting';
import { Conflict, NotFound } from '../errors';
import { markJournalQueued } from '../jobs/bell';
import { listExternalAccounts } from '../connectors/xero/sync/accounts';
import { getAccountMapping, moneyPlaces } from '../repos/tenants';
import { latestAttempts, requeuePosting, SendAttempt } from '../repos/journal-sends';
import { inTransaction } from './transaction';

/** A journal the accounting system did not take, with what to do about it. */
export type JournalException = {
  id: string; number: number; date: string; narration: string; sourcePath: string;
  status: 'dead'; xeroMessage: string; advice: RefusalAdvice;
  /** The lines as last sent: role, code, and the signed amount. */
  lastSent: { role: string; label: string; code: string; name: string; amount: string }[] | null;
};

/**
 * The exceptions list's postings: each journal whose posting needs a person (refused by Xero, or
 * out of attempts), newest first, with Xero's reason in plain words and what to fix.
 */
export async function journalExceptions(db: Db, tenantId: string): Promise<JournalException[]> {
  const rows = await db('outbox as o').join('journals as j', (x) => x.on('j.id', 'o.journal_id').andOn('j.tenant_id', 'o.tenant_id'))
    .where({ 'o.tenant_id': tenantId, 'o.topic': 'journal.post', 'o.status': 'dead' }).orderBy('j.number', 'desc').limit(500)
    .select('j.id', 'j.number', 'j.journal_date', 'j.narration', 'j.source_path', 'o.last_error');
  const [attempts, chart, dp] = await Promise.all([latestAttempts(db, tenantId, rows.map((r) => r.id)), listExternalAccounts(db, tenantId), moneyPlaces(db, tenantId)]);
  return rows.map((r) => {
    const last = attempts.get(r.id);
    const message = String(r.last_error ?? 'no reason recorded');
    return {
      id: r.id, number: Number(r.number), date: r.journal_date, narration: r.narration, sourcePath: r.source_path, status: 'dead',
      xeroMessage: message,
      advice: explainRefusal(message, refusedOutright(last), last?.lines ?? [], chart),
      lastSent: last ? last.lines.map((l) => ({ role: l.role, label: ROLE_LABELS[l.role], code: l.code, name: l.name, amount: money(new Decimal(l.amount), dp) })) : null,
    };
  });
}

/** Refused as a validation refusal (certainly not created), as opposed to out of attempts. */
const refusedOutright = (a: SendAttempt | undefined) => !a || a.outcome === 'refused';

/**
 * "Send again": the posting goes now with a fresh set of attempts, on the accounts mapped now. A
 * refused journal was not created in Xero, so it goes under a new Idempotency-Key; one that ran
 * out of attempts may exist there, so it goes exactly as before under its old key (outbox-claim
 * decides the key). Refused while a mapped account is one Xero is known to refuse (Inventory type,
 * archived): that would only be refused again. A deleted one may have been made again in Xero
 * since the chart was last pulled, so that is left to Xero to answer.
 */
export async function sendJournalAgain(db: Db, tenantId: string, journalId: string): Promise<{ number: number }> {
  const journal = await db('journals').where({ tenant_id: tenantId, id: journalId }).first('number');
  if (!journal) throw new NotFound('Journal', journalId);
  const posting = await db('outbox').where({ tenant_id: tenantId, journal_id: journalId, topic: 'journal.post' }).first('status');
  if (posting?.status === 'done') throw new Conflict(`Journal ${journal.number} is already posted; there is nothing to send again`);
  if (!posting || posting.status === 'pending') throw new Conflict(`Journal ${journal.number} is waiting to be sent; it goes by itself`);
  await refuseWhileMappingRefused(db, tenantId, journalId, Number(journal.number));
  await inTransaction(db, async (trx) => {
    if (await requeuePosting(trx, tenantId, journalId)) markJournalQueued(trx);
  });
  return { number: Number(journal.number) };
}

async function refuseWhileMappingRefused(db: Db, tenantId: string, journalId: string, number: number): Promise<void> {
  const [roles, mapping, chart] = await Promise.all([
    db('journal_lines').where({ tenant_id: tenantId, journal_id: journalId }).distinct('account_role').pluck('account_role'),
    getAccountMapping(db, tenantId), listExternalAccounts(db, tenantId),
  ]);
  const problems = mappingProblems(mapping, chart).filter((p) => roles.includes(p.role) && p.kind !== 'deleted');
  if (problems.length) throw new Conflict(`Journal ${number} would be refused again: ${problems.map((p) => p.message).join('; ')}. Fix the account mapping (Settings → Account mapping) first`);
}
