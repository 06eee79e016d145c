import { markJournalQueued } from '../jobs/bell';
import { Trx, Db } from '../db';
import { Decimal, money, str } from '../domain/decimal';
import { JournalDraft } from '../domain/accounting';
import { JournalView } from '../services/stock/types';
import { moneyPlaces } from './tenants';

type Q = Trx | Db;

export function journalViewOf(id: string, number: number, date: string, draft: JournalDraft, dp: number): JournalView {
  return {
    id,
    number,
    date,
    narration: draft.narration,
    lines: draft.lines.map((l) => ({ account_code: l.code, account_name: l.name, role: l.role, ...debitCredit(l.amount, dp) })),
  };
}

export function debitCredit(amount: Decimal, dp: number): { debit: string; credit: string } {
  const none = money(new Decimal(0), dp);
  return amount.isNeg() ? { debit: none, credit: money(amount.neg(), dp) } : { debit: money(amount, dp), credit: none };
}

export async function journalForEvent(q: Q, tenantId: string, eventId: string): Promise<JournalView | null> {
  const j = await q('journals').where({ tenant_id: tenantId, event_id: eventId }).first();
  return j ? journalView(q, tenantId, j) : null;
}

export async function journalView(q: Q, tenantId: string, j: Record<string, any>): Promise<JournalView> {
  const lines = await q('journal_lines').where({ tenant_id: tenantId, journal_id: j.id }).orderBy('line_no');
  const dp = await moneyPlaces(q, tenantId);
  return {
    id: j.id,
    number: Number(j.number),
    date: j.journal_date,
    narration: j.narration,
    lines: lines.map((l) => ({ account_code: l.account_code, account_name: l.account_name, role: l.account_role, ...debitCredit(new Decimal(l.amount), dp) })),
  };
}

/** The lines of several journals at once (a page of the journal list), by journal id, in line order. */
export async function linesOfJournals(q: Q, tenantId: string, journalIds: string[]): Promise<Map<string, JournalView['lines']>> {
  const out = new Map<string, JournalView['lines']>(journalIds.map((id) => [id, []]));
  if (!journalIds.length) return out;
  const dp = await moneyPlaces(q, tenantId);
  const rows = await q('journal_lines').where({ tenant_id: tenantId }).whereIn('journal_id', journalIds).orderBy(['journal_id', 'line_no']);
  for (const l of rows) out.get(l.journal_id)!.push({ account_code: l.account_code, account_name: l.account_name, role: l.account_role, ...debitCredit(new Decimal(l.amount), dp) });
  return out;
}

/** A journal line held for a delivery's one journal (journal-per-delivery policy), per account. */
export async function deferPostings(q: Q, tenantId: string, deliveryId: string, eventId: string, draft: JournalDraft): Promise<void> {
  await q('deferred_postings').insert(draft.lines.map((l) => ({ tenant_id: tenantId, delivery_id: deliveryId, event_id: eventId, account_role: l.role, amount: str(l.amount) })));
}

/**
 * A journal that no single stock event owns (a delivery's summary), with its outbox row, in
 * the caller's transaction. Returns its number.
 */
export async function insertJournal(q: Q, tenantId: string, j: { id: string; date: string; sourcePath: string; draft: JournalDraft }): Promise<number> {
  const [row] = await q('journals').insert({ tenant_id: tenantId, id: j.id, event_id: null, journal_date: j.date, narration: j.draft.narration, source_path: j.sourcePath }).returning('number');
  await q('journal_lines').insert(j.draft.lines.map((l, i) => ({ tenant_id: tenantId, journal_id: j.id, line_no: i + 1, account_role: l.role, account_code: l.code, account_name: l.name, amount: str(l.amount), description: l.description })));
  await q('outbox').insert({ tenant_id: tenantId, topic: 'journal.post', journal_id: j.id });
  markJournalQueued(q);
  return Number(row.number);
}
