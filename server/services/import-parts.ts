import { readImportCsv } from './csv-import';
import { Db, Trx } from '../db';
import { IdempotencyClaim, withIdempotency } from './idempotency';
import { Decimal } from '../domain/decimal';
import { parseQuantity, parseUnitCost } from '../domain/numbers';
import { DomainError, FieldProblem, Invalid } from '../errors';
import { inTransaction } from './transaction';
import { insertPart, PartInput } from './catalogue';
import { resolveLegs } from './stock/resolve';
import { writeEvent } from './stock/post-event';
import { Actor, LineInput, EventView } from './stock/types';

export const PART_CSV_COLUMNS = ['sku', 'name', 'description', 'unit', 'barcode', 'source', 'tracking', 'reorder_point', 'default_location', 'location', 'quantity', 'unit_cost', 'lot', 'serials'];

type Row = Record<string, string>;
export type ImportResult = { parts_created: number; stock_lines: number; event: EventView | null };

/**
 * Parts and opening stock from one CSV, all or nothing. Every wrong cell in every line is reported
 * ("line 7: quantity must be greater than zero") and nothing is written when any is wrong.
 */
export async function importPartsCsv(db: Db, actor: Actor, csv: string, occurredOn: string, idem?: IdempotencyClaim): Promise<ImportResult> {
  // sku is checked row by row (a missing one names its row), so no column is required of the header.
  const rows = readImportCsv(csv, PART_CSV_COLUMNS, []);
  const problems: FieldProblem[] = [];
  const parts: PartInput[] = [];
  const stock: { line: number; input: LineInput }[] = [];
  const existing = new Set((await db('parts').where({ tenant_id: actor.tenantId }).whereIn('sku', rows.map((r) => r.sku ?? '')).select('sku')).map((r) => r.sku));
  const defined = new Set<string>();
  rows.forEach((row, i) => {
    const line = i + 2; // line 1 is the header
    const bad = (field: string, message: string) => problems.push({ field: `line ${line}: ${field}`, message: `line ${line}: ${field} ${message}` });
    if (!row.sku) return bad('sku', 'is required');
    if (!existing.has(row.sku) && !defined.has(row.sku)) {
      const part = partFromRow(row, bad);
      if (part) parts.push(part);
      defined.add(row.sku);
    }
    if (row.quantity || row.location || row.unit_cost) {
      const q = parseQuantity(row.quantity);
      const c = parseUnitCost(row.unit_cost);
      if (!row.location) bad('location', 'is required with a quantity');
      if (!q.ok) bad('quantity', q.reason);
      if (!c.ok) bad('unit_cost', c.reason);
      if (row.location && q.ok && c.ok) {
        stock.push({ line, input: { part: row.sku, location: row.location, quantity: q.value, unitCost: c.value, lot: row.lot || undefined, serials: row.serials ? row.serials.split(/[\s;|]+/).filter(Boolean) : undefined } });
      }
    }
  });
  if (problems.length) throw new Invalid(problems, `The CSV has ${problems.length} problem(s); nothing was imported`);
  const result = await inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => importInTransaction(trx)));
  return result.body;

  async function importInTransaction(trx: Trx): Promise<ImportResult> {
    for (const p of parts) await withLine(rows, p.sku, () => insertPart(trx, actor.tenantId, p));
    if (!stock.length) return { parts_created: parts.length, stock_lines: 0, event: null };
    const cmd = { kind: 'opening_balance' as const, occurredOn, reference: 'CSV import', lines: stock.map((s) => s.input) };
    try {
      const legs = await resolveLegs(trx, actor.tenantId, cmd);
      const event = await writeEvent(trx, actor, { kind: 'opening_balance', occurredOn, reference: 'CSV import', reason: '', contra: 'opening_balance', reversesEventId: null }, legs);
      return { parts_created: parts.length, stock_lines: stock.length, event };
    } catch (err) {
      throw renumber(err, stock.map((s) => s.line));
    }
  }
}


function partFromRow(row: Row, bad: (field: string, message: string) => void): PartInput | null {
  let ok = true;
  const fail = (f: string, m: string) => { ok = false; bad(f, m); };
  if (!row.name) fail('name', 'is required for a new part');
  if (row.source && !['bought', 'made', 'both'].includes(row.source)) fail('source', 'must be bought, made or both');
  if (row.tracking && !['none', 'lot', 'serial'].includes(row.tracking)) fail('tracking', 'must be none, lot or serial');
  let reorderPoint: Decimal | null = null;
  if (row.reorder_point) {
    const r = parseQuantity(row.reorder_point);
    if (r.ok) reorderPoint = r.value;
    else fail('reorder_point', r.reason);
  }
  if (!ok) return null;
  return {
    sku: row.sku, name: row.name, description: row.description, unit: row.unit || undefined, barcode: row.barcode || null,
    source: (row.source || undefined) as PartInput['source'], tracking: (row.tracking || undefined) as PartInput['tracking'],
    reorderPoint, defaultLocation: row.default_location || null,
  };
}

async function withLine<T>(rows: Row[], sku: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const line = rows.findIndex((r) => r.sku === sku) + 2;
    throw new Invalid(err.fields.length ? err.fields.map((f) => ({ field: `line ${line}: ${f.field}`, message: `line ${line}: ${f.message}` })) : [{ field: `line ${line}`, message: `line ${line}: ${err.message}` }]);
  }
}

/** Stock errors name "lines[3].quantity"; point them at the CSV line instead. */
function renumber(err: unknown, lines: number[]): unknown {
  if (!(err instanceof DomainError)) return err;
  const fields = err.fields.map((f) => {
    const m = /^lines\.(\d+)\.(.+)$/.exec(f.field);
    if (!m) return f;
    const line = lines[Number(m[1])];
    return { field: `line ${line}: ${m[2].replace(/\.\d+$/, '')}`, message: `line ${line}: ${f.message}` };
  });
  return new Invalid(fields.length ? fields : [{ field: 'csv', message: err.message }]);
}
