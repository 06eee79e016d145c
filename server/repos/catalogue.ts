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

export async function partsBySku(q: Q, tenantId: string, skus: string[]): Promise<Map<string, Part>> {
  const rows = await q('parts').where({ tenant_id: tenantId }).whereIn('sku', [...new Set(skus)]);
  return new Map(rows.map((r) => [r.sku, toPart(r)]));
}

export async function locationsByCode(q: Q, tenantId: string, codes: string[]): Promise<Map<string, Location>> {
  const rows = await q('locations').where({ tenant_id: tenantId }).whereIn('code', [...new Set(codes)]);
  return new Map(rows.map((r) => [r.code, toLocation(r)]));
}

export async function partsById(q: Q, tenantId: string, ids: string[]): Promise<Map<string, Part>> {
  const rows = await q('parts').where({ tenant_id: tenantId }).whereIn('id', [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, toPart(r)]));
}

export async function locationsById(q: Q, tenantId: string, ids: string[]): Promise<Map<string, Location>> {
  const rows = await q('locations').where({ tenant_id: tenantId }).whereIn('id', [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, toLocation(r)]));
}
