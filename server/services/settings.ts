import { Db } from '../db';
import { Decimal, str } from '../domain/decimal';
import { AccountRole, ACCOUNT_ROLES, mappingRefusal } from '../domain/accounting';
import { methodRefusal, ValuationMethod, ReportingFramework } from '../domain/costing';
import { Invalid } from '../errors';
import { getTenant, getAccountMapping, saveAccountMapping, Tenant } from '../repos/tenants';
import { listExternalAccounts } from '../connectors/xero/sync/accounts';
import { inTransaction } from './transaction';
import { today } from '../clock';

export type SettingsInput = {
  name?: string;
  reportingFramework?: ReportingFramework;
  valuationMethod?: ValuationMethod;
  lockDate?: string | null;
  accounts?: Partial<Record<AccountRole, { code: string; name: string }>>;
  overReceiptTolerancePct?: Decimal;
  receiptJournalPer?: ReceiptJournalPer;
};

/** Goods-in posting policy: a journal for each verified line, or one for the whole delivery. */
export type ReceiptJournalPer = 'line' | 'delivery';
export type GoodsInSettings = { overReceiptTolerancePct: string; receiptJournalPer: ReceiptJournalPer };
export const MAX_TOLERANCE_PCT = new Decimal(1000);

export async function getSettings(db: Db, tenantId: string) {
  const [tenant, accounts, moved, goodsIn] = await Promise.all([getTenant(db, tenantId), getAccountMapping(db, tenantId), stockHasMoved(db, tenantId), goodsInSettings(db, tenantId)]);
  return { tenant, accounts, methodLocked: moved, goodsIn };
}

async function goodsInSettings(db: Db, tenantId: string): Promise<GoodsInSettings> {
  const row = await db('tenants').where({ id: tenantId }).first('over_receipt_tolerance_pct', 'receipt_journal_per');
  return { overReceiptTolerancePct: str(new Decimal(row.over_receipt_tolerance_pct)), receiptJournalPer: row.receipt_journal_per };
}

/** Checked here as well as in the HTTP schema: the database would refuse it with a bare constraint error. */
function checkGoodsIn(input: SettingsInput): void {
  const t = input.overReceiptTolerancePct;
  if (t && (t.isNeg() || t.gt(MAX_TOLERANCE_PCT) || t.decimalPlaces() > 4)) {
    throw Invalid.field('over_receipt_tolerance_pct', `Over-receipt tolerance must be a percentage from 0 to ${MAX_TOLERANCE_PCT.toFixed()} with at most 4 decimal places (got ${t.toFixed()})`);
  }
  if (input.receiptJournalPer && !['line', 'delivery'].includes(input.receiptJournalPer)) {
    throw Invalid.field('receipt_journal_per', 'Receipt posting must be per line or per delivery');
  }
}

/**
 * A role mapped to an account of the connected chart that no manual journal can post to (Xero's
 * INVENTORY type, or archived) is refused with the reason, naming the role's code box.
 */
async function checkAccounts(db: Db, tenantId: string, input: SettingsInput): Promise<void> {
  const entries = Object.entries(input.accounts ?? {}).filter(([role, acc]) => acc && ACCOUNT_ROLES.includes(role as AccountRole));
  if (!entries.length) return;
  const chart = await listExternalAccounts(db, tenantId);
  const problems = entries.flatMap(([role, acc]) => {
    const message = mappingRefusal(role as AccountRole, acc!.code, chart);
    return message ? [{ field: `accounts.${role}.code`, message }] : [];
  });
  if (problems.length) throw new Invalid(problems, problems.map((p) => p.message).join('; '));
}

async function stockHasMoved(db: Db, tenantId: string): Promise<boolean> {
  return !!(await db('stock_movements').where({ tenant_id: tenantId }).first('id'));
}

/** The method is fixed once stock has moved: changing it would silently revalue history. */
export async function updateSettings(db: Db, tenantId: string, input: SettingsInput): Promise<Tenant> {
  checkGoodsIn(input);
  await checkAccounts(db, tenantId, input);
  return inTransaction(db, async (trx) => {
    const current = await trx('tenants').where({ id: tenantId }).forUpdate().first();
    const framework = input.reportingFramework ?? current.reporting_framework;
    const method = input.valuationMethod ?? current.valuation_method;
    const refusal = methodRefusal(method, framework);
    if (refusal) throw Invalid.field(input.valuationMethod ? 'valuation_method' : 'reporting_framework', refusal);
    if (method !== current.valuation_method && (await trx('stock_movements').where({ tenant_id: tenantId }).first('id'))) {
      throw Invalid.field('valuation_method', `The valuation method is fixed once stock has moved (it is ${current.valuation_method}); a change needs a dated revaluation at the start of a period`);
    }
    const patch: Record<string, unknown> = { reporting_framework: framework, valuation_method: method };
    if (input.name !== undefined) patch.name = input.name;
    if (input.lockDate && input.lockDate > today()) {
      throw Invalid.field('lock_date', `The lock date closes periods that have ended; ${input.lockDate} is in the future`);
    }
    if (input.lockDate !== undefined) patch.lock_date = input.lockDate;
    // Deliveries keep the posting policy they began with, so a change applies from the next one.
    if (input.overReceiptTolerancePct !== undefined) patch.over_receipt_tolerance_pct = str(input.overReceiptTolerancePct);
    if (input.receiptJournalPer !== undefined) patch.receipt_journal_per = input.receiptJournalPer;
    await trx('tenants').where({ id: tenantId }).update(patch);
    for (const [role, acc] of Object.entries(input.accounts ?? {})) {
      if (!ACCOUNT_ROLES.includes(role as AccountRole) || !acc) continue;
      await saveAccountMapping(trx, tenantId, role, acc);
    }
    return getTenant(trx, tenantId);
  });
}
