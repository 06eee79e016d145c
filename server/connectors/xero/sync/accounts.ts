import { Db } from '../../../db';
import { Conflict } from '../../../errors';
import { ACCOUNT_ROLES, AccountMapping, AccountRole, movesOffInventory, STOCK_ROLES } from '../../../domain/accounting';
import { getAccountMapping, saveAccountMapping } from '../../../repos/tenants';
import { putWarnings } from './warnings';
import { callXero, describe, validationMessages, XeroDeps } from '../api';
import { XeroConnection } from '../connections';
import { PushError } from '../../accounting-connector';
import { connectedXero } from './connection';
import { instant, later, text } from './values';

export type ExternalAccount = { id: string; code: string; name: string; type: string; class: string; status: string };

/**
 * GET /Accounts (If-Modified-Since when a cursor is given) into external_accounts, for the
 * account-mapping drop-downs. Archived accounts are kept with status ARCHIVED: a mapping may
 * still name one, and the page should say so rather than forget the code. A full pull (no
 * cursor) also marks DELETED the accounts Xero no longer lists.
 */
export async function pullAccounts(deps: XeroDeps, connection: XeroConnection, since?: Date): Promise<{ cursor?: Date; count: number }> {
  const answer = await callXero(deps, connection, (api, id) => api.getAccounts(id, since, undefined, undefined));
  if (answer.status === 304) return { cursor: since, count: 0 };
  if (answer.status !== 200) throw new PushError(`Xero did not give the chart of accounts (${answer.status}: ${describe(answer.body)})`, true);
  const accounts: any[] = answer.body?.accounts ?? [];
  let cursor = since;
  const rows = accounts.filter((a) => a.accountID).map((a) => {
    cursor = later(cursor, instant(a.updatedDateUTC));
    return {
      tenant_id: connection.tenantId, provider: 'xero', external_id: a.accountID, code: text(a.code), name: text(a.name) || text(a.code),
      type: text(a.type), class: text(a._class ?? a['class']), status: text(a.status) || 'ACTIVE', updated_at: deps.db.fn.now(),
    };
  });
  if (rows.length) await deps.db('external_accounts').insert(rows).onConflict(['tenant_id', 'provider', 'external_id']).merge();
  // Xero drops a deleted account from the list: a full pull is the only way to notice one.
  if (!since) {
    await deps.db('external_accounts').where({ tenant_id: connection.tenantId, provider: 'xero' }).whereNotIn('external_id', rows.map((r) => r.external_id))
      .whereNot('status', 'DELETED').update({ status: 'DELETED', updated_at: deps.db.fn.now() });
  }
  await keepRolesOffInventory(deps.db, connection);
  return { cursor, count: rows.length };
}

/**
 * Never a role on an INVENTORY-type account (Xero refuses every manual journal line there): from
 * the first pull after connecting, such a role is moved to a proposed current-asset account, and
 * the connection says so until that account is in the chart.
 */
async function keepRolesOffInventory(db: Db, connection: XeroConnection): Promise<void> {
  const [mapping, chart] = await Promise.all([getAccountMapping(db, connection.tenantId), listExternalAccounts(db, connection.tenantId)]);
  const moves = movesOffInventory(mapping, chart);
  await db.transaction(async (trx) => {
    for (const m of moves) await saveAccountMapping(trx, connection.tenantId, m.role, m.to);
    const live = new Set(chart.filter((a) => a.status === 'ACTIVE').map((a) => a.code.toLowerCase()));
    const settled = ACCOUNT_ROLES.filter((r) => live.has(mapping[r].code.toLowerCase())).map((role) => `account_mapping:${role}`);
    await putWarnings(trx, connection, settled, moves.map((m) => ({ code: 'account_mapping', role: m.role, message: m.message })));
  });
}

export async function listExternalAccounts(db: Db, tenantId: string): Promise<ExternalAccount[]> {
  const rows = await db('external_accounts').where({ tenant_id: tenantId, provider: 'xero' }).orderByRaw("status <> 'ACTIVE', code, name");
  return rows.map((r) => ({ id: r.external_id, code: r.code, name: r.name, type: r.type, class: r.class, status: r.status }));
}

/**
 * The Xero account type each role is created as. Stock accounts are ordinary CURRENT assets,
 * never Xero's INVENTORY type: Xero keeps that for its own tracked items and refuses manual
 * journals to it ("You cannot save this transaction using an inventory account type").
 */
export const XERO_TYPE_FOR_ROLE: Record<AccountRole, string> = {
  raw_materials: 'CURRENT',
  wip: 'CURRENT',
  finished_goods: 'CURRENT',
  grni: 'CURRLIAB',
  cogs: 'DIRECTCOSTS',
  ppv: 'DIRECTCOSTS',
  stock_adjustments: 'DIRECTCOSTS',
  labour_applied: 'DIRECTCOSTS',
  // Owed back by a supplier until its credit note arrives: a debtor-like current asset.
  supplier_credits: 'CURRENT',
  scrap: 'EXPENSE',
  // The other side of opening stock brought in at go-live: equity, as Xero's own conversion balances are.
  opening_balance: 'EQUITY',
};

export type SuggestedAccounts = {
  created: { role: AccountRole; code: string; name: string; type: string }[];
  /** Codes Xero has but cannot be used as they are (archived), or that Xero refused. */
  problems: { role: AccountRole; code: string; message: string }[];
  /** Xero's INVENTORY-type accounts, left alone, and where stock goes instead. */
  notes: string[];
};

/**
 * Create in Xero each mapped account whose code its chart lacks (PUT /Accounts), then pull the
 * chart again. A clash (someone added the code meanwhile) names the code; if every creation
 * failed, that is a Conflict for the caller to show.
 */
export async function createSuggestedAccounts(deps: XeroDeps, tenantId: string): Promise<SuggestedAccounts> {
  const connection = await connectedXero(deps.db, tenantId);
  await pullAccounts(deps, connection);
  const [mapping, chart] = await Promise.all([getAccountMapping(deps.db, tenantId), listExternalAccounts(deps.db, tenantId)]);
  const byCode = new Map(chart.filter((a) => a.status !== 'DELETED').map((a) => [a.code.toLowerCase(), a]));
  const result: SuggestedAccounts = { created: [], problems: [], notes: inventoryNotes(chart, mapping) };
  const seen = new Set<string>();
  for (const role of ACCOUNT_ROLES) {
    const { code, name } = mapping[role];
    const existing = byCode.get(code.toLowerCase());
    if (!code || seen.has(code.toLowerCase())) continue;
    seen.add(code.toLowerCase());
    if (existing?.status === 'ARCHIVED') result.problems.push({ role, code, message: `Account ${code} (${existing.name}) is archived in Xero: restore it there, or map ${role} to another code` });
    if (existing) continue;
    const problem = await createAccount(deps, connection, code, name, XERO_TYPE_FOR_ROLE[role]);
    if (problem) result.problems.push({ role, code, message: problem });
    else result.created.push({ role, code, name, type: XERO_TYPE_FOR_ROLE[role] });
  }
  if (result.created.length) await pullAccounts(deps, connection);
  if (!result.created.length && result.problems.some((p) => !p.message.includes('archived'))) throw new Conflict(result.problems.map((p) => p.message).join('; '));
  return result;
}

function inventoryNotes(chart: ExternalAccount[], mapping: AccountMapping): string[] {
  const stock = STOCK_ROLES.map((r) => `${mapping[r].code} ${mapping[r].name}`).join(', ');
  return chart.filter((a) => a.type === 'INVENTORY' && a.status === 'ACTIVE')
    .map((a) => `${a.code} ${a.name} is left alone: it is Xero's Inventory type, which Xero refuses in manual journals, so stock is kept on ${stock}.`);
}

/** PUT /Accounts for one account; returns Xero's refusal as a sentence naming the code, or null. */
async function createAccount(deps: XeroDeps, connection: XeroConnection, code: string, name: string, type: string): Promise<string | null> {
  const account = { code, name, type, description: 'Created by Perpetua for perpetual inventory journals' } as any;
  const answer = await callXero(deps, connection, (api, id) => api.createAccount(id, account, undefined));
  if (answer.status === 200) return null;
  const why = answer.status === 400 ? validationMessages(answer.body) : `${answer.status}: ${describe(answer.body)}`;
  if (/unique code|code.*(already|use)/i.test(why)) return `Xero already has an account with code ${code} (${why}); map the role to that account or choose another code`;
  return `Xero refused account ${code} ${name}: ${why}`;
}
