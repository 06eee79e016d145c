import { z } from 'zod';
import { Decimal } from '../domain/decimal';
import { ACCOUNT_ROLES, AccountRole } from '../domain/accounting';
import { isoDate, text } from './schemas';
import { parseDecimalText } from '../domain/numbers';
import { SettingsInput, MAX_TOLERANCE_PCT } from '../services/settings';

const account = z.object({ code: text().trim().min(1, 'account code is required').max(20), name: text().trim().min(1, 'account name is required').max(150) }).strict();

/** A percentage 0..1000 with at most 4 places (the column's scale), from a string or a JSON number. */
const tolerancePct = z.unknown().transform((v, ctx) => {
  const p = parseDecimalText(v);
  const reason = !p.ok ? p.reason
    : p.value.isNeg() || p.value.gt(MAX_TOLERANCE_PCT) ? `must be a percentage from 0 to ${MAX_TOLERANCE_PCT.toFixed()}`
    : p.value.decimalPlaces() > 4 ? 'has too many decimal places (at most 4)' : null;
  if (reason) {
    ctx.addIssue({ code: 'custom', message: reason });
    return z.NEVER;
  }
  return (p as { value: Decimal }).value;
});

export const settingsSchema = z.object({
  name: text().trim().min(1).max(200).optional(),
  reporting_framework: z.enum(['IFRS', 'FRS102', 'US_GAAP']).optional(),
  valuation_method: z.enum(['fifo', 'weighted_average', 'lifo']).optional(),
  lock_date: z.preprocess((v) => (v === '' ? null : v), isoDate.nullable().optional()),
  accounts: z.partialRecord(z.enum(ACCOUNT_ROLES), account).optional(),
  over_receipt_tolerance_pct: tolerancePct.optional(),
  receipt_journal_per: z.enum(['line', 'delivery'], 'must be line (a journal per verified line) or delivery (one journal per delivery)').optional(),
}).strict();

export function toSettingsInput(b: z.infer<typeof settingsSchema>): SettingsInput {
  return { name: b.name, reportingFramework: b.reporting_framework, valuationMethod: b.valuation_method, lockDate: b.lock_date, accounts: b.accounts as Partial<Record<AccountRole, { code: string; name: string }>>,
    overReceiptTolerancePct: b.over_receipt_tolerance_pct, receiptJournalPer: b.receipt_journal_per };
}
