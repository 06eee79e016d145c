import { Db, Trx } from '../../db';
import { Decimal, ZERO } from '../../domain/decimal';
import { parseDecimalText, parseQuantity } from '../../domain/numbers';
import { partsAndLocations } from '../../repos/catalogue';
import { inTransaction } from '../transaction';
import { readImportCsv, CellProblems, CsvRow, BadCell } from '../csv-import';
import { Actor } from '../stock/types';
import { lockBoms } from './graph';
import { checkBomLines } from './check-lines';
import { loopMessage } from './loops';
import { BomReplacement, loopsAfter, writeBoms } from './save-bom';
import { BomImportResult, BomLineInput } from './types';

/** The CSV's columns, in order: one row per BOM line, the way engineering keeps them. */
export const BOM_CSV_COLUMNS = ['parent_sku', 'component_sku', 'quantity', 'step', 'attrition_pct', 'optional', 'note'] as const;
const REQUIRED_COLUMNS = ['parent_sku', 'component_sku', 'quantity'];
const YES = ['yes', 'y', 'true', '1'];
const NO = ['no', 'n', 'false', '0', ''];
/** checkBomLines' field names as CSV columns. */
const COLUMN_OF: Record<string, string> = { component: 'component_sku', qty_per: 'quantity' };

type Row = CsvRow;
type Bad = BadCell;
/** One assembly's BOM as read from the CSV: the rows it came from, for naming problems. */
type BomGroup = { parent: string; rows: number[]; lines: BomLineInput[] };

/**
 * BOMs from one CSV, all or nothing: the rows of each parent_sku replace that assembly's BOM
 * (assemblies not named are left alone). Every problem in every row is reported at once
 * ("row 7, quantity: must be greater than zero"), loops are checked over all the BOMs as they
 * would be after the import, and nothing is stored when anything is wrong.
 */
export async function importBoms(db: Db, actor: Actor, csvText: string): Promise<BomImportResult> {
  const rows = readImportCsv(csvText, BOM_CSV_COLUMNS, REQUIRED_COLUMNS);
  return inTransaction(db, async (trx) => {
    await lockBoms(trx, actor.tenantId);
    return replaceAll(trx, actor.tenantId, rows);
  });
}

async function replaceAll(trx: Trx, tenantId: string, rows: Row[]): Promise<BomImportResult> {
  const problems = new CellProblems();
  const groups = groupRows(rows, problems.bad);
  const { parts } = await partsAndLocations(trx, tenantId, groups.flatMap((g) => [g.parent, ...g.lines.map((l) => l.component)]), []);
  const replacements: (BomReplacement & { group: BomGroup })[] = [];
  for (const g of groups) {
    // Parents are named by SKU exactly: a barcode could name one assembly twice.
    const parent = parts.get(g.parent)?.sku === g.parent ? parts.get(g.parent)! : undefined;
    if (!parent) problems.bad(g.rows[0], 'parent_sku', `Unknown part ${g.parent}`);
    const checked = checkBomLines(parent ?? { id: '', sku: g.parent }, g.lines, parts, (i, f) => cell(g.rows[i], f));
    problems.addAll(checked.problems);
    if (parent) replacements.push({ parent, lines: checked.checked, group: g });
  }
  for (const loop of await loopsAfter(trx, tenantId, replacements)) {
    const r = replacements.find((x) => x.parent.sku === loop.parent)!;
    const i = r.group.lines.findIndex((l) => parts.get(l.component)?.sku === loop.component);
    problems.bad(r.group.rows[i], 'component_sku', loopMessage(loop));
  }
  problems.throwIfAny();
  await writeBoms(trx, tenantId, replacements);
  const boms = replacements.map((r) => ({ sku: r.parent.sku, lines: r.lines.length }));
  return { assemblies: boms.length, lines: boms.reduce((n, b) => n + b.lines, 0), boms };
}

function cell(row: number | undefined, field: string): string {
  return `row ${row ?? '?'}, ${COLUMN_OF[field] ?? field}`;
}



/** Rows into BOMs by parent_sku, in the order each assembly first appears. */
function groupRows(rows: Row[], bad: Bad): BomGroup[] {
  const groups = new Map<string, BomGroup>();
  rows.forEach((row, i) => {
    const n = i + 2; // row 1 is the header
    if (!row.parent_sku) return bad(n, 'parent_sku', 'is required: the assembly this line belongs to');
    const group = groups.get(row.parent_sku) ?? { parent: row.parent_sku, rows: [], lines: [] };
    groups.set(row.parent_sku, group);
    group.rows.push(n);
    group.lines.push(lineFromRow(row, n, bad));
  });
  return [...groups.values()];
}

/**
 * A row's line. A number that does not parse is reported here and replaced by a harmless
 * stand-in, so the rest of the row is still checked; any problem rolls the import back.
 */
function lineFromRow(row: Row, n: number, bad: Bad): BomLineInput {
  if (!row.component_sku) bad(n, 'component_sku', 'is required: the part used');
  const qty = parseQuantity(row.quantity);
  if (!qty.ok) bad(n, 'quantity', qty.reason);
  return {
    component: row.component_sku ?? '',
    qtyPer: qty.ok ? qty.value : new Decimal(1),
    attritionPct: attritionOf(row.attrition_pct, n, bad),
    step: stepOf(row.step, n, bad),
    optional: optionalOf(row.optional, n, bad),
    note: row.note ?? '',
  };
}

function attritionOf(raw: string | undefined, n: number, bad: Bad): Decimal {
  if (!raw) return ZERO;
  const p = parseDecimalText(raw);
  if (!p.ok) bad(n, 'attrition_pct', p.reason);
  return p.ok ? p.value : ZERO;
}

function stepOf(raw: string | undefined, n: number, bad: Bad): number | null {
  if (!raw) return null;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1) {
    bad(n, 'step', `must be a whole number from 1 to 999, or blank (got "${raw.slice(0, 40)}")`);
    return null;
  }
  return Number(raw);
}

function optionalOf(raw: string | undefined, n: number, bad: Bad): boolean {
  const v = (raw ?? '').toLowerCase();
  if (YES.includes(v)) return true;
  if (!NO.includes(v)) bad(n, 'optional', `must be yes or no (got "${(raw ?? '').slice(0, 40)}")`);
  return false;
}
