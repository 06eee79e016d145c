import { Trx, Db } from '../db';
import { Decimal } from '../domain/decimal';
import { StockRole } from '../domain/accounting';

type Q = Trx | Db;

export type Part = {
  id: string;
  sku: string;
  name: string;
  description: string;
  unit: string;
  fractional: boolean;
  barcode: string | null;
  source: 'bought' | 'made' | 'both';
  tracking: 'none' | 'lot' | 'serial';
  reorderPoint: Decimal | null;
  defaultLocationId: string | null;
  stockRole: StockRole;
};

export type Location = { id: string; code: string; name: string; warehouse: string; bin: string | null };

export function toPart(r: Record<string, any>): Part {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    unit: r.unit,
    fractional: r.fractional,
    barcode: r.barcode,
    source: r.source,
    tracking: r.tracking,
    reorderPoint: r.reorder_point === null ? null : new Decimal(r.reorder_point),
    defaultLocationId: r.default_location_id,
    stockRole: r.stock_role,
  };
}

export function toLocation(r: Record<string, any>): Location {
  return { id: r.id, code: r.code, name: r.name, warehouse: r.warehouse, bin: r.bin };
}

export async function partsById(q: Q, tenantId: string, ids: string[]): Promise<Map<string, Part>> {
  const rows = await q('parts').where({ tenant_id: tenantId }).whereIn('id', [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, toPart(r)]));
}

export async function locationsById(q: Q, tenantId: string, ids: string[]): Promise<Map<string, Location>> {
  const rows = await q('locations').where({ tenant_id: tenantId }).whereIn('id', [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, toLocation(r)]));
}

/**
 * The parts and locations a command names, in one round trip (numerics as text, never floats).
 * A part may be named by SKU or by barcode (a scanner types the barcode); the SKU wins a clash.
 */
export async function partsAndLocations(q: Q, tenantId: string, skus: string[], codes: string[]): Promise<{ parts: Map<string, Part>; locations: Map<string, Location> }> {
  const { rows } = await q.raw(
    `select
       (select coalesce(json_agg(json_build_object('id', p.id, 'sku', p.sku, 'name', p.name, 'description', p.description, 'unit', p.unit,
               'fractional', p.fractional, 'barcode', p.barcode, 'source', p.source, 'tracking', p.tracking,
               'reorder_point', p.reorder_point::text, 'default_location_id', p.default_location_id, 'stock_role', p.stock_role)), '[]'::json)
          from parts p where p.tenant_id = ? and (p.sku in (select json_array_elements_text(?::json)) or p.barcode in (select json_array_elements_text(?::json)))) as parts,
       (select coalesce(json_agg(json_build_object('id', l.id, 'code', l.code, 'name', l.name, 'warehouse', l.warehouse, 'bin', l.bin)), '[]'::json)
          from locations l where l.tenant_id = ? and l.code in (select json_array_elements_text(?::json))) as locations`,
    [tenantId, JSON.stringify([...new Set(skus)]), JSON.stringify([...new Set(skus)]), tenantId, JSON.stringify([...new Set(codes)])],
  );
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, any>[];
  const found = json(rows[0].parts).map(toPart);
  const parts = new Map(found.filter((p) => p.barcode).map((p) => [p.barcode!, p]));
  for (const p of found) parts.set(p.sku, p);
  return {
    parts,
    locations: new Map(json(rows[0].locations).map((r) => [r.code as string, toLocation(r)])),
  };
}
