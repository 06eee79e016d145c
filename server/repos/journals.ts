import { Trx, Db } from '../db';
import { Decimal, money } from '../domain/decimal';
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
