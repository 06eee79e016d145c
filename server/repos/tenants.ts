import { Trx, Db } from '../db';
import { minorUnits } from '../domain/decimal';
import { AccountMapping, ACCOUNT_ROLES, DEFAULT_ACCOUNTS } from '../domain/accounting';
import { ValuationMethod, ReportingFramework } from '../domain/costing';

export type Tenant = {
  id: string;
  name: string;
  baseCurrency: string;
  reportingFramework: ReportingFramework;
  valuationMethod: ValuationMethod;
  lockDate: string | null;
  /** Decimal places journal amounts are rounded to: the base currency's minor unit. */
  minorUnits: number;
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
    minorUnits: minorUnits(r.base_currency),
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

/** Map one role to an account (the settings form, or a role moved off an unusable account). */
export async function saveAccountMapping(q: Q, tenantId: string, role: string, account: { code: string; name: string }): Promise<void> {
  await q('account_mappings').insert({ tenant_id: tenantId, role, account_code: account.code, account_name: account.name })
    .onConflict(['tenant_id', 'role']).merge(['account_code', 'account_name']);
}

export async function insertDefaultMapping(q: Q, tenantId: string): Promise<void> {
  await q('account_mappings').insert(
    ACCOUNT_ROLES.map((role) => ({ tenant_id: tenantId, role, account_code: DEFAULT_ACCOUNTS[role].code, account_name: DEFAULT_ACCOUNTS[role].name })),
  );
}

/**
 * The organisation and its account mapping in one round trip (every stock command needs both).
 * The row is share-locked: a settings change (lock date, method) waits for postings in flight,
 * and a posting waits for a settings change, so neither acts on what the other just changed.
 */
export async function getTenantWithMapping(q: Q, tenantId: string): Promise<{ tenant: Tenant; mapping: AccountMapping }> {
  const { rows } = await q.raw(
    `select t.id, t.name, t.base_currency, t.reporting_framework, t.valuation_method, t.lock_date::text as lock_date,
            (select coalesce(json_agg(json_build_object('role', m.role, 'code', m.account_code, 'name', m.account_name)), '[]'::json)
               from account_mappings m where m.tenant_id = t.id) as mapping
       from tenants t where t.id = ? for share of t`,
    [tenantId],
  );
  const row = rows[0];
  const mapping = { ...DEFAULT_ACCOUNTS } as AccountMapping;
  const list = (typeof row.mapping === 'string' ? JSON.parse(row.mapping) : row.mapping) as { role: keyof AccountMapping; code: string; name: string }[];
  for (const m of list) mapping[m.role] = { code: m.code, name: m.name };
  return { tenant: toTenant(row), mapping };
}

/** The decimal places an organisation's amounts are shown and rounded to. */
export async function moneyPlaces(q: Q, tenantId: string): Promise<number> {
  const row = await q('tenants').where({ id: tenantId }).first('base_currency');
  return minorUnits(row?.base_currency ?? 'GBP');
}
