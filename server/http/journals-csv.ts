import { writeCsv } from '../services/csv-export';
import { Db } from '../db';
import { Decimal, money } from '../domain/decimal';
import { moneyPlaces } from '../repos/tenants';

/** Journals as CSV lines (date, number, narration, account, debit, credit) for Sage 50 and others. */
export async function journalsCsv(db: Db, tenantId: string): Promise<string> {
  const dp = await moneyPlaces(db, tenantId);
  const rows = await db('journal_lines as l').join('journals as j', (x) => x.on('j.id', 'l.journal_id').andOn('j.tenant_id', 'l.tenant_id'))
    .where('l.tenant_id', tenantId).orderBy(['j.number', 'l.line_no'])
    .select('j.journal_date', 'j.number', 'j.narration', 'l.account_code', 'l.account_name', 'l.amount');
  const data = rows.map((r) => {
    const a = new Decimal(r.amount);
    return [r.journal_date, r.number, r.narration, r.account_code, r.account_name, a.isPos() ? money(a, dp) : '', a.isNeg() ? money(a.neg(), dp) : ''];
  });
  return writeCsv(['date', 'journal', 'narration', 'account_code', 'account_name', 'debit', 'credit'], data);
}
