import { Trx, Db } from '../db';
import { AccountMapping, ACCOUNT_ROLES, DEFAULT_ACCOUNTS } from '../domain/accounting';
import { ValuationMethod, ReportingFramework } from '../domain/costing';

export type Tenant = {
  id: string;
  name: string;
  baseCurrency: string;
  reportingFramework: ReportingFramework;
  valuationMethod: ValuationMethod;
  lockDate: string | null;
};

type Q = Trx | Db;

export function toTenant(r: Record<string, any>): Tenant {
  return {
    id: r.id,
    name: r.name,
    baseCurrency: r.base_currency,
    reportingFramework: r.reporting_framework,
    valuationMethod: r.valuation_method,
    lockDate: r.lock_date,
  };
}

export async function getTenant(q: Q, tenantId: string): Promise<Tenant> {
  return toTenant(await q('tenants').where({ id: tenantId }).first());
}

export async function getAccountMapping(q: Q, tenantId: string): Promise<AccountMapping> {
  const rows = await q('account_mappings').where({ tenant_id: tenantId });
  const mapping = { ...DEFAULT_ACCOUNTS } as AccountMapping;
  for (const r of rows) mapping[r.role as keyof AccountMapping] = { code: r.account_code, name: r.account_name };
  return mapping;
}

export async function insertDefaultMapping(q: Q, tenantId: string): Promise<void> {
  await q('account_mappings').insert(
    ACCOUNT_ROLES.map((role) => ({ tenant_id: tenantId, role, account_code: DEFAULT_ACCOUNTS[role].code, account_name: DEFAULT_ACCOUNTS[role].name })),
  );
}
