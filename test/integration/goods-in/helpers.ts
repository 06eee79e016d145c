// Shared by the goods-in and purchasing tests (not a test file itself).
import { Db } from '../../../server/db';
import { dec } from '../../../server/domain/decimal';
import { hashRequest } from '../../../server/services/idempotency';
import { createPurchaseOrder } from '../../../server/services/purchasing/create-po';
import { PoInput, PoLineInput, PurchaseOrderView } from '../../../server/services/purchasing/types';
import { Actor, JournalView } from '../../../server/services/stock/types';
import { addUser, Role } from '../../../server/services/auth/accounts';
import { ledgerSnapshot } from '../../support/ledger-checks';

export type LineSpec = { part: string; qty: string | number; price: string | number; per?: string | number; unit?: string; tax?: string | number };

/** An open PO delivered to MAIN; lines as [part, quantity (purchase units), unit price]. */
export async function givenPo(db: Db, actor: Actor, lines: LineSpec[], extra: Partial<PoInput> = {}): Promise<PurchaseOrderView> {
  const input: PoInput = {
    supplier: 'Acme Bearings',
    location: 'MAIN',
    ...extra,
    lines: lines.map((l): PoLineInput => ({
      part: l.part,
      quantity: dec(l.qty),
      unitPrice: dec(l.price),
      ...(l.per === undefined ? {} : { unitsPerPurchaseUnit: dec(l.per), purchaseUnit: l.unit ?? 'box' }),
      ...(l.tax === undefined ? {} : { taxRate: dec(l.tax) }),
    })),
  };
  return (await createPurchaseOrder(db, actor, input)).body;
}

export async function setTolerance(db: Db, actor: Actor, pct: string | number): Promise<void> {
  await db('tenants').where({ id: actor.tenantId }).update({ over_receipt_tolerance_pct: String(pct) });
}

export async function setJournalPer(db: Db, actor: Actor, per: 'line' | 'delivery'): Promise<void> {
  await db('tenants').where({ id: actor.tenantId }).update({ receipt_journal_per: per });
}

/** Another user of the same organisation, as an actor, with a known password. */
export async function givenUser(db: Db, actor: Actor, role: Role, email: string, password = 'another good password'): Promise<Actor & { email: string; password: string }> {
  const { id } = await addUser(db, actor.tenantId, { email, name: `${role} ${email.split('@')[0]}`, role, password });
  return { tenantId: actor.tenantId, userId: id, role, email, password };
}

/** Journal lines as [role, debit, credit]. */
export function jl(j: JournalView | null | undefined): [string, string, string][] {
  return (j?.lines ?? []).map((l) => [l.role, l.debit, l.credit]);
}

/** Journal lines of the whole organisation as they are stored: [journal number, role, amount]. */
export async function storedJournalLines(db: Db, actor: Actor): Promise<[number, string, string][]> {
  const rows = await db('journal_lines as l')
    .join('journals as j', (q) => q.on('j.id', 'l.journal_id').andOn('j.tenant_id', 'l.tenant_id'))
    .where('l.tenant_id', actor.tenantId)
    .orderBy([{ column: 'j.number' }, { column: 'l.line_no' }])
    .select('j.number', 'l.account_role', 'l.amount');
  return rows.map((r) => [Number(r.number), r.account_role, dec(r.amount).toFixed()]);
}

const PURCHASING_TABLES = ['suppliers', 'purchase_orders', 'purchase_order_lines', 'deliveries', 'receipt_lines', 'deferred_postings'];

/** The ledger and every purchasing document, row for row: equal snapshots mean nothing changed. */
export async function everything(db: Db, actor: Actor): Promise<Record<string, unknown[]>> {
  const out = await ledgerSnapshot(db, actor);
  for (const table of PURCHASING_TABLES) {
    const rows = await db(table).where({ tenant_id: actor.tenantId });
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** Runs a command that must be refused and proves that nothing at all changed; returns the error. */
export async function refusedCleanly(db: Db, actor: Actor, run: () => Promise<unknown>): Promise<any> {
  const before = await everything(db, actor);
  const err = await run().then(() => null, (e) => e);
  expect(err).not.toBeNull();
  expect(await everything(db, actor)).toEqual(before);
  return err;
}

export const claim = (key: string, ...request: unknown[]) => ({ key, requestHash: hashRequest(request) });

export function outcomes<T>(settled: PromiseSettledResult<T>[]) {
  const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  const fulfilled = settled.filter((s): s is PromiseFulfilledResult<T> => s.status === 'fulfilled').map((s) => s.value);
  return { fulfilled, rejected };
}
