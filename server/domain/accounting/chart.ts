import { AccountMapping, AccountRole, ACCOUNT_ROLES, DEFAULT_ACCOUNTS, ROLE_LABELS } from './roles';

/** An account of the accounting system's chart (Xero's type names: CURRENT, INVENTORY, ...). */
export type ChartAccount = { code: string; name: string; type: string; status: string };

/** A role that cannot post to the account it is mapped to, and why, in people's words. */
export type MappingProblem = { role: AccountRole; code: string; kind: 'inventory' | 'archived' | 'deleted'; message: string };
/** A role moved off an account no manual journal can post to, onto a proposed one. */
export type MappingMove = { role: AccountRole; from: { code: string; name: string }; to: { code: string; name: string }; message: string };

const label = (role: AccountRole) => ROLE_LABELS[role];
const named = (a: ChartAccount) => `${a.code} ${a.name}`.trim();

/**
 * Xero keeps INVENTORY-type accounts for its own tracked items and refuses manual journals to
 * them ("You cannot save this transaction using an inventory account type"); every Xero
 * organisation starts with one, 630 Inventory. Our stock journals go to ordinary current assets.
 */
export function inventoryTypeReason(a: ChartAccount): string {
  return `${named(a)} is an Inventory-type account in Xero, which Xero keeps for its own tracked items and refuses in manual journals `
    + '("You cannot save this transaction using an inventory account type"); map it to an ordinary current-asset account instead';
}

/**
 * Why `role` may not be mapped to `code` in this chart (null: it may). A code the chart lacks is
 * allowed: "Create suggested accounts" makes it. An archived account, or one of the INVENTORY
 * type, is refused, since Xero refuses every journal line on it.
 */
export function mappingRefusal(role: AccountRole, code: string, chart: ChartAccount[]): string | null {
  const a = accountFor(code, chart);
  if (!a) return null;
  if (a.type === 'INVENTORY') return `${label(role)}: ${inventoryTypeReason(a)}`;
  if (a.status === 'ARCHIVED') return `${label(role)}: ${named(a)} is archived in Xero; restore it there or map ${label(role)} to another account`;
  return null;
}

/** Every mapped role that cannot post as things stand (for the account-mapping page). */
export function mappingProblems(mapping: AccountMapping, chart: ChartAccount[]): MappingProblem[] {
  return ACCOUNT_ROLES.flatMap((role): MappingProblem[] => {
    const code = mapping[role].code;
    const refusal = mappingRefusal(role, code, chart);
    if (refusal) return [{ role, code, kind: accountFor(code, chart)!.type === 'INVENTORY' ? 'inventory' as const : 'archived' as const, message: refusal }];
    const a = chart.find((x) => x.code.toLowerCase() === code.toLowerCase());
    if (a?.status !== 'DELETED') return [];
    const message = `${label(role)}: ${named(a)} was deleted in Xero; create it again (Create suggested accounts) or map ${label(role)} to another account`;
    return [{ role, code, kind: 'deleted' as const, message }];
  });
}

/**
 * At connection (and each pull of the chart): a role on an INVENTORY-type account is moved to a
 * proposed current-asset account, its own default code when that is free, else the first free
 * code from 633 up. Xero refuses a code its chart has in any state, so archived codes are skipped.
 */
export function movesOffInventory(mapping: AccountMapping, chart: ChartAccount[]): MappingMove[] {
  const taken = new Set([...chart.map((a) => a.code.toLowerCase()), ...ACCOUNT_ROLES.map((r) => mapping[r].code.toLowerCase())]);
  const moves: MappingMove[] = [];
  for (const role of ACCOUNT_ROLES) {
    const a = accountFor(mapping[role].code, chart);
    if (a?.type !== 'INVENTORY') continue;
    const to = proposal(role, chart, taken);
    taken.add(to.code.toLowerCase());
    moves.push({
      role, from: mapping[role], to,
      message: `${label(role)} was mapped to ${named(a)}, an Inventory-type account that Xero refuses in manual journals; it is now mapped to `
        + `${to.code} ${to.name} (a current asset). Create it with "Create suggested accounts in Xero" under Settings → Account mapping, `
        + 'or map it to another current-asset account.',
    });
  }
  return moves;
}

function proposal(role: AccountRole, chart: ChartAccount[], taken: Set<string>): { code: string; name: string } {
  const wanted = DEFAULT_ACCOUNTS[role];
  const existing = accountFor(wanted.code, chart);
  if (existing && existing.type === 'CURRENT' && existing.status === 'ACTIVE') return { code: existing.code, name: existing.name };
  if (!taken.has(wanted.code.toLowerCase())) return wanted;
  for (let n = 633; n < 1000; n++) if (!taken.has(String(n))) return { code: String(n), name: wanted.name };
  return { code: `${wanted.code}1`, name: wanted.name };
}

/** The live account with this code (a deleted one is gone from Xero's chart). */
function accountFor(code: string, chart: ChartAccount[]): ChartAccount | undefined {
  return chart.find((a) => a.code.toLowerCase() === code.toLowerCase() && a.status !== 'DELETED');
}
