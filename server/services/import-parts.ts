import { Db, Trx } from '../db';
import { IdempotencyClaim, withIdempotency } from './idempotency';
import { Conflict, DomainError, Invalid } from '../errors';
import { inTransaction } from './transaction';
import { PartInput, partRow } from './catalogue';
import { CellProblems } from './csv-import';
import { resolveLegs } from './stock/resolve';
import { writeEvent } from './stock/post-event';
import { Actor, LineInput, EventView } from './stock/types';

export const PART_CSV_COLUMNS = ['sku', 'name', 'description', 'unit', 'barcode', 'source', 'tracking', 'reorder_point', 'default_location', 'location', 'quantity', 'unit_cost', 'lot', 'serials'] as const;

/** One CSV row as read and checked (http/parts-csv-input.ts): the part it defines, if any, and its stock. */
export type PartRow = { row: number; sku: string; part?: PartInput; stock?: LineInput };
export type PartsCsv = { rows: PartRow[] };
export type ImportResult = { parts_created: number; stock_lines: number; event: EventView | null };
/** Told how far an import has got, for the page's progress bar. */
export type ImportProgress = (phase: 'checking' | 'writing', done: number, total: number) => void | Promise<void>;

const INSERT_CHUNK = 1000;
const label = (row: number, column: string) => `Row ${row} · ${column}`;

/**
 * Parts and opening stock from one CSV, all or nothing. The rows come checked one by one; here
 * they are checked against what is stored (unknown SKUs need a name, locations must exist,
 * barcodes be free) with a few set-based reads and no transaction open, and only then written
 * in one short transaction: parts in multi-row inserts and the stock as one opening balance event.
 */
export async function importParts(db: Db, actor: Actor, csv: PartsCsv, occurredOn: string, idem?: IdempotencyClaim, progress?: ImportProgress): Promise<ImportResult> {
  const { parts, locations } = await checkAgainstStore(db, actor.tenantId, csv.rows);
  await progress?.('writing', 0, csv.rows.length);
  const stock = csv.rows.filter((r) => r.stock);
  const result = await inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async (): Promise<ImportResult> => {
    await insertParts(trx, actor.tenantId, parts, locations);
    if (!stock.length) return { parts_created: parts.length, stock_lines: 0, event: null };
    const head = { kind: 'opening_balance' as const, occurredOn, reference: 'CSV import' };
    try {
      const legs = await resolveLegs(trx, actor.tenantId, { ...head, lines: stock.map((s) => s.stock!) });
      const event = await writeEvent(trx, actor, { ...head, reason: '', contra: 'opening_balance', reversesEventId: null }, legs);
      return { parts_created: parts.length, stock_lines: stock.length, event };
    } catch (err) {
      throw renumber(err, stock.map((s) => s.row));
    }
  }));
  await progress?.('writing', csv.rows.length, csv.rows.length);
  return result.body;
}

/** The new parts (first row of each SKU not stored yet) and the location ids, or every problem by row. */
async function checkAgainstStore(db: Db, tenantId: string, rows: PartRow[]) {
  const problems = new CellProblems(label);
  const skus = [...new Set(rows.map((r) => r.sku))];
  const existing = new Set((await db('parts').where({ tenant_id: tenantId }).whereRaw('sku = any(?::text[])', [skus]).select('sku')).map((r) => r.sku as string));
  const firstRows = new Map<string, PartRow>();
  for (const r of rows) if (!firstRows.has(r.sku)) firstRows.set(r.sku, r);
  const parts: PartInput[] = [];
  for (const [sku, r] of firstRows) {
    if (existing.has(sku)) continue;
    if (r.part) parts.push(r.part);
    else problems.bad(r.row, 'name', `is required: ${sku} is a new part`);
  }
  const rowOf = (sku: string) => firstRows.get(sku)!.row;
  await checkBarcodes(db, tenantId, parts, rowOf, problems);
  const codes = [...new Set([...parts.map((p) => p.defaultLocation), ...rows.map((r) => r.stock?.location)].filter((c): c is string => !!c))];
  const locations = new Map((await db('locations').where({ tenant_id: tenantId }).whereRaw('code = any(?::text[])', [codes]).select('code', 'id')).map((l) => [l.code as string, l.id as string]));
  for (const p of parts) if (p.defaultLocation && !locations.has(p.defaultLocation)) problems.bad(rowOf(p.sku), 'default_location', `Unknown location ${p.defaultLocation}`);
  for (const r of rows) if (r.stock && !locations.has(r.stock.location)) problems.bad(r.row, 'location', `Unknown location ${r.stock.location}`);
  problems.throwIfAny();
  return { parts, locations };
}

/** A barcode names one part: not one already stored, and not two in the file. */
async function checkBarcodes(db: Db, tenantId: string, parts: PartInput[], rowOf: (sku: string) => number, problems: CellProblems) {
  const barcodes = parts.filter((p) => p.barcode);
  const taken = new Map((await db('parts').where({ tenant_id: tenantId }).whereRaw('barcode = any(?::text[])', [barcodes.map((p) => p.barcode!)]).select('barcode', 'sku')).map((r) => [r.barcode as string, r.sku as string]));
  for (const p of barcodes) {
    const owner = taken.get(p.barcode!);
    if (owner) problems.bad(rowOf(p.sku), 'barcode', `Barcode ${p.barcode} is already used by ${owner}`);
    else taken.set(p.barcode!, p.sku);
  }
}

/** The new parts in multi-row inserts; a part stored by someone else since the check refuses the import. */
async function insertParts(trx: Trx, tenantId: string, parts: PartInput[], locations: Map<string, string>): Promise<void> {
  for (let i = 0; i < parts.length; i += INSERT_CHUNK) {
    const chunk = parts.slice(i, i + INSERT_CHUNK).map((p) => partRow(tenantId, p, p.defaultLocation ? locations.get(p.defaultLocation)! : null));
    let ids: { id: string }[];
    try {
      ids = await trx('parts').insert(chunk).returning('id');
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new Conflict('A part in the CSV was added by someone else meanwhile; nothing was imported. Import the CSV again', 'csv');
      throw err;
    }
    await trx('part_valuations').insert(ids.map(({ id }) => ({ tenant_id: tenantId, part_id: id })));
  }
}

/** Stock errors name "lines.3.quantity"; point them at the CSV row instead. */
function renumber(err: unknown, rows: number[]): unknown {
  if (!(err instanceof DomainError)) return err;
  const fields = err.fields.map((f) => {
    const m = /^lines\.(\d+)\.(.+)$/.exec(f.field);
    if (!m) return f;
    const field = label(rows[Number(m[1])], m[2].replace(/\.\d+$/, ''));
    return { field, message: `${field}: ${f.message}` };
  });
  return new Invalid(fields.length ? fields : [{ field: 'csv', message: err.message }], err.message);
}
