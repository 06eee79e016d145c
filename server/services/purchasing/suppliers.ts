import { Trx, Db } from '../../db';

type Q = Trx | Db;
export type Supplier = { id: string; name: string; currency: string | null };

/** A supplier by name (case-insensitive), created on first use: suppliers arrive with their documents. */
export async function supplierNamed(q: Q, tenantId: string, name: string, currency?: string): Promise<Supplier> {
  await q('suppliers').insert({ tenant_id: tenantId, name, currency: currency ?? null }).onConflict(q.raw('(tenant_id, lower(name))')).ignore();
  const row = await q('suppliers').where({ tenant_id: tenantId }).whereRaw('lower(name) = lower(?)', [name]).first();
  return { id: row.id, name: row.name, currency: row.currency };
}

export async function findSupplier(q: Q, tenantId: string, name: string): Promise<Supplier | null> {
  const row = await q('suppliers').where({ tenant_id: tenantId }).whereRaw('lower(name) = lower(?)', [name]).first();
  return row ? { id: row.id, name: row.name, currency: row.currency } : null;
}

export async function listSuppliers(q: Q, tenantId: string): Promise<Supplier[]> {
  const rows = await q('suppliers').where({ tenant_id: tenantId }).orderByRaw('lower(name)');
  return rows.map((r) => ({ id: r.id, name: r.name, currency: r.currency }));
}
