import { Trx, Db } from '../db';
import { Decimal, money } from '../domain/decimal';
import { JournalDraft } from '../domain/accounting';
import { JournalView } from '../services/stock/types';

type Q = Trx | Db;

export function journalViewOf(id: string, number: number, date: string, draft: JournalDraft): JournalView {
  return {
    id,
    number,
    date,
    narration: draft.narration,
    lines: draft.lines.map((l) => ({ account_code: l.code, account_name: l.name, role: l.role, ...debitCredit(l.amount) })),
  };
}

export function debitCredit(amount: Decimal): { debit: string; credit: string } {
  return amount.isNeg() ? { debit: '0.00', credit: money(amount.neg()) } : { debit: money(amount), credit: '0.00' };
}

export async function journalForEvent(q: Q, tenantId: string, eventId: string): Promise<JournalView | null> {
  const j = await q('journals').where({ tenant_id: tenantId, event_id: eventId }).first();
  return j ? journalView(q, tenantId, j) : null;
}

export async function journalView(q: Q, tenantId: string, j: Record<string, any>): Promise<JournalView> {
  const lines = await q('journal_lines').where({ tenant_id: tenantId, journal_id: j.id }).orderBy('line_no');
  return {
    id: j.id,
    number: Number(j.number),
    date: j.journal_date,
    narration: j.narration,
    lines: lines.map((l) => ({ account_code: l.account_code, account_name: l.account_name, role: l.account_role, ...debitCredit(new Decimal(l.amount)) })),
  };
}
