import { z } from 'zod';
import { ACCOUNT_ROLES, AccountRole } from '../domain/accounting';
import { isoDate } from './schemas';
import { SettingsInput } from '../services/settings';

const account = z.object({ code: z.string().trim().min(1, 'account code is required').max(20), name: z.string().trim().min(1, 'account name is required').max(150) }).strict();

export const settingsSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  reporting_framework: z.enum(['IFRS', 'FRS102', 'US_GAAP']).optional(),
  valuation_method: z.enum(['fifo', 'weighted_average', 'lifo']).optional(),
  lock_date: z.preprocess((v) => (v === '' ? null : v), isoDate.nullable().optional()),
  accounts: z.partialRecord(z.enum(ACCOUNT_ROLES), account).optional(),
}).strict();

export function toSettingsInput(b: z.infer<typeof settingsSchema>): SettingsInput {
  return { name: b.name, reportingFramework: b.reporting_framework, valuationMethod: b.valuation_method, lockDate: b.lock_date, accounts: b.accounts as Partial<Record<AccountRole, { code: string; name: string }>> };
}
