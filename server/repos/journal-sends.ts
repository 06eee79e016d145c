import { Db, Trx } from '../db';
import { Decimal, str } from '../domain/decimal';
import { AccountMapping, AccountRole } from '../domain/accounting';
import { JournalView } from '../services/stock/types';
import { debitCredit } from './journals';
import { getAccountMapping, moneyPlaces } from './tenants';

type Q = Db | Trx;

/** One line as it went out: the role it plays and the code it was sent on. */
export type SentLine = { line_no: number; role: AccountRole; code: string; name: string; amount: string };
export type SendOutcome = 'posted' | 'refused' | 'failed' | 'waiting';
export type SendAttempt = {
  id: string; journalId: string; sendKey: string; connector: string; lines: SentLine[]; sentAt: Date;
  outcome: SendOutcome | null; message: string | null; externalId: string | null;
};

/**
 * The journals of one call (in the order given) as they go out, with an attempt recorded for each before the call.
 * Codes come from the account mapping as it is now, except under a key already used for the
 * journal: Xero may hold that first call, so the lines go exactly as they went then.
 */
export async function journalsToSend(db: Db, tenantId: string, ids: string[], sendKey: string, connector: string): Promise<Array<JournalView & { sourcePath: string }>> {
  const [journals, lines, earlier, mapping, dp] = await Promise.all([
    db('journals').where({ tenant_id: tenantId }).whereIn('id', ids),
    db('journal_lines').where({ tenant_id: tenantId }).whereIn('journal_id', ids).orderBy(['journal_id', 'line_no']),
    db('journal_send_attempts').where({ tenant_id: tenantId, send_key: sendKey }).whereIn('journal_id', ids).orderBy('sent_at'),
    getAccountMapping(db, tenantId),
    moneyPlaces(db, tenantId),
  ]);
  const sentBefore = new Map<string, SentLine[]>(earlier.map((a) => [a.journal_id, parseLines(a.lines)]));
  const out = ids.map((id) => {
    const j = journals.find((x) => x.id === id)!;
    const sent = sentBefore.get(j.id) ?? resolve(lines.filter((l) => l.journal_id === j.id), mapping);
    return { journal: j, sent };
  });
  await db('journal_send_attempts').insert(out.map(({ journal, sent }) => ({
    tenant_id: tenantId, journal_id: journal.id, send_key: sendKey, connector, lines: JSON.stringify(sent),
  })));
  return out.map(({ journal, sent }) => ({
    id: journal.id, number: Number(journal.number), date: journal.journal_date, narration: journal.narration, sourcePath: journal.source_path,
    lines: sent.map((l) => ({ account_code: l.code, account_name: l.name, role: l.role, ...debitCredit(new Decimal(l.amount), dp) })),
  }));
}

/** A journal's lines on the accounts its roles are mapped to now. */
function resolve(lines: Record<string, any>[], mapping: AccountMapping): SentLine[] {
  return lines.map((l) => ({
    line_no: l.line_no, role: l.account_role, code: mapping[l.account_role as AccountRole]?.code ?? l.account_code,
    name: mapping[l.account_role as AccountRole]?.name ?? l.account_name, amount: str(new Decimal(l.amount)),
  }));
}

export type SendAnswer = { outcome: SendOutcome; message: string | null; externalId: string | null };

/** The answer to the latest unanswered attempt of a journal under `sendKey`, in the caller's transaction. */
export async function recordSendAnswer(trx: Trx, tenantId: string, journalId: string, sendKey: string, answer: SendAnswer): Promise<void> {
  const latest = trx('journal_send_attempts').where({ tenant_id: tenantId, journal_id: journalId, send_key: sendKey }).whereNull('outcome')
    .orderBy('sent_at', 'desc').limit(1).select('id');
  await trx('journal_send_attempts').where({ tenant_id: tenantId }).whereIn('id', latest).update({
    outcome: answer.outcome, message: answer.message?.slice(0, 2000) ?? null, external_id: answer.externalId, answered_at: trx.fn.now(),
  });
}

/** A journal's send attempts, newest first. */
export async function sendAttempts(q: Q, tenantId: string, journalId: string): Promise<SendAttempt[]> {
  const rows = await q('journal_send_attempts').where({ tenant_id: tenantId, journal_id: journalId }).orderBy('sent_at', 'desc');
  return rows.map(toAttempt);
}

/** The latest attempt of each of these journals. */
export async function latestAttempts(q: Q, tenantId: string, journalIds: string[]): Promise<Map<string, SendAttempt>> {
  if (!journalIds.length) return new Map();
  const rows = await q('journal_send_attempts').where({ tenant_id: tenantId }).whereIn('journal_id', journalIds)
    .distinctOn('journal_id').orderBy([{ column: 'journal_id' }, { column: 'sent_at', order: 'desc' }]);
  return new Map(rows.map((r) => [r.journal_id as string, toAttempt(r)]));
}

function toAttempt(r: Record<string, any>): SendAttempt {
  return {
    id: r.id, journalId: r.journal_id, sendKey: r.send_key, connector: r.connector, lines: parseLines(r.lines), sentAt: new Date(r.sent_at),
    outcome: r.outcome ?? null, message: r.message ?? null, externalId: r.external_id ?? null,
  };
}

const parseLines = (v: unknown): SentLine[] => (typeof v === 'string' ? JSON.parse(v) : v) as SentLine[];

/**
 * A person's "Send again" on a posting that failed or was dead-lettered: due now, with a fresh
 * set of attempts. A posted (or still pending) posting is left alone. The outbox keeps or drops
 * the send key as the last answer allows (cleared after a refusal, kept after no answer).
 */
export async function requeuePosting(q: Q, tenantId: string, journalId: string): Promise<boolean> {
  const n = await q('outbox').where({ tenant_id: tenantId, journal_id: journalId, topic: 'journal.post' }).whereIn('status', ['failed', 'dead'])
    .update({ status: 'pending', attempts: 0, next_attempt_at: q.fn.now(), updated_at: q.fn.now() });
  return n > 0;
}
