import { Db, Trx } from '../db';
import { Decimal, str } from '../domain/decimal';
import { Conflict, Invalid } from '../errors';
import { inTransaction } from './transaction';
import { toPart, toLocation, Part, Location } from '../repos/catalogue';

export type PartInput = {
  sku: string;
  name: string;
  description?: string;
  unit?: string;
  fractional?: boolean;
  barcode?: string | null;
  source?: 'bought' | 'made' | 'both';
  tracking?: 'none' | 'lot' | 'serial';
  reorderPoint?: Decimal | null;
  defaultLocation?: string | null;
};

export type LocationInput = { code: string; name: string; warehouse: string; bin?: string | null };

/** Made parts are valued on the finished goods account; bought (and bought-and-made) on raw materials. */
const stockRoleFor = (source: PartInput['source']) => (source === 'made' ? 'finished_goods' : 'raw_materials');

/** A new part's row as stored (one home for the defaults: the form, the API and the CSV import). */
export function partRow(tenantId: string, input: PartInput, defaultLocationId: string | null) {
  return {
    tenant_id: tenantId,
    sku: input.sku,
    name: input.name,
    description: input.description ?? '',
    unit: input.unit ?? 'each',
    fractional: input.fractional ?? false,
    barcode: input.barcode || null,
    source: input.source ?? 'bought',
    tracking: input.tracking ?? 'none',
    reorder_point: input.reorderPoint ? str(input.reorderPoint) : null,
    default_location_id: defaultLocationId,
    stock_role: stockRoleFor(input.source),
  };
}

export async function createPart(db: Db, tenantId: string, input: PartInput): Promise<Part> {
  return inTransaction(db, (trx) => insertPart(trx, tenantId, input));
}

export async function insertPart(trx: Trx, tenantId: string, input: PartInput): Promise<Part> {
    const clash = await trx('parts').where({ tenant_id: tenantId }).andWhere((q) => {
      q.where('sku', input.sku);
      if (input.barcode) q.orWhere('barcode', input.barcode);
    }).first('sku', 'barcode');
    if (clash?.sku === input.sku) throw new Conflict(`A part with SKU ${input.sku} already exists`, 'sku');
    if (clash) throw new Conflict(`Barcode ${input.barcode} is already used by ${clash.sku}`, 'barcode');
    let defaultLocationId: string | null = null;
    if (input.defaultLocation) {
      const loc = await trx('locations').where({ tenant_id: tenantId, code: input.defaultLocation }).first('id');
      if (!loc) throw Invalid.field('default_location', `Unknown location ${input.defaultLocation}`);
      defaultLocationId = loc.id;
    }
    if (input.tracking === 'serial' && input.fractional) throw Invalid.field('fractional', 'A serial-tracked part is counted in whole units');
    const [row] = await trx('parts')
      .insert(partRow(tenantId, input, defaultLocationId))
      .returning('*');
    await trx('part_valuations').insert({ tenant_id: tenantId, part_id: row.id });
    return toPart(row);
}

export async function createLocation(db: Db | Trx, tenantId: string, input: LocationInput): Promise<Location> {
  const clash = await db('locations').where({ tenant_id: tenantId, code: input.code }).first('id');
  if (clash) throw new Conflict(`A location with code ${input.code} already exists`, 'code');
  const [row] = await db('locations').insert({ tenant_id: tenantId, code: input.code, name: input.name, warehouse: input.warehouse, bin: input.bin || null }).returning('*');
  return toLocation(row);
}

export async function listLocations(db: Db, tenantId: string): Promise<Location[]> {
  return (await db('locations').where({ tenant_id: tenantId }).orderBy('code')).map(toLocation);
}
