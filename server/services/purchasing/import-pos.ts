import { Db, Trx } from '../../db';
import { Decimal } from '../../domain/decimal';
import { MAX_QUANTITY, parseDecimalText, parseQuantity, parseUnitCost, Parsed } from '../../domain/numbers';
import { AmountsMode } from '../../domain/purchasing';
import { DomainError } from '../../errors';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { inTransaction } from '../transaction';
import { readImportCsv, CellProblems, CsvRow, BadCell } from '../csv-import';
import { Actor } from '../stock/types';
import { savePurchaseOrder } from './save-po';
import { flaggedLinesOf, FlaggedLine } from './buying-less';
import { PoInput, PoLineInput } from './types';

/** The CSV's columns, in order. One row per PO line; rows sharing a po_number form one PO. */
export const PO_CSV_COLUMNS = [
  'po_number', 'supplier', 'order_date', 'expected_date', 'currency', 'currency_rate', 'amounts', 'location',
  'sku', 'description', 'quantity', 'purchase_unit', 'units_per_purchase_unit', 'unit_price', 'tax_rate', 'account_code',
] as const;
/** Without these a row cannot be a PO line at all. */
const REQUIRED_COLUMNS = ['po_number', 'supplier', 'sku', 'quantity', 'unit_price'];
/** Header fields: taken from a PO's first row; a later row may repeat them or leave them blank. */
const HEADER_COLUMNS = ['supplier', 'order_date', 'expected_date', 'currency', 'currency_rate', 'amounts', 'location'] as const;
const AMOUNTS: AmountsMode[] = ['exclusive', 'inclusive', 'no_tax'];

export type PoImportResult = {
  purchase_orders: { id: string; number: string; lines: number }[];
  flagged: FlaggedLine[];
};

type Row = CsvRow;
type Bad = BadCell;
/** One PO as read from the CSV: its rows' numbers, for naming problems, and the input to save. */
type PoGroup = { number: string; rows: number[]; input: PoInput };

/**
 * Purchase orders from one CSV, all or nothing. Every problem in every row is reported at once
 * ("row 7, quantity: must be greater than zero"), and nothing is stored when there is any.
 * Each PO goes through savePurchaseOrder, the same checks as the API and the form.
 */
export async function importPurchaseOrdersCsv(db: Db, actor: Actor, csvText: string, idem?: IdempotencyClaim): Promise<PoImportResult> {
  const rows = readImportCsv(csvText, PO_CSV_COLUMNS, REQUIRED_COLUMNS);
  const result = await inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => saveAll(trx, actor.tenantId, rows)));
  return result.body;
}

async function saveAll(trx: Trx, tenantId: string, rows: Row[]): Promise<PoImportResult> {
  const problems = new CellProblems();
  const groups = groupRows(rows, problems.bad);
  const saved: PoImportResult['purchase_orders'] = [];
  for (const g of groups) {
    // Each PO is checked even after another has failed, so the report lists every problem;
    // throwing at the end rolls back the POs that were fine.
    try {
      const id = await savePurchaseOrder(trx, tenantId, g.input, cellOf(g));
      saved.push({ id, number: g.number, lines: g.input.lines.length });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      problems.addFrom(err, g.rows[0]);
    }
  }
  problems.throwIfAny();
  return { purchase_orders: saved, flagged: await flaggedLinesOf(trx, tenantId, saved.map((p) => p.id)) };
}

/** savePurchaseOrder's field names as CSV cells: header fields at the PO's first row, lines at their own. */
function cellOf(g: PoGroup): (field: string) => string {
  return (field) => {
    const m = /^lines\.(\d+)\.(.+)$/.exec(field);
    if (m) return `row ${g.rows[Number(m[1])]}, ${m[2] === 'part' ? 'sku' : m[2]}`;
    return `row ${g.rows[0]}, ${field === 'number' ? 'po_number' : field}`;
  };
}



/** Rows into POs by po_number, in the order each PO first appears. */
function groupRows(rows: Row[], bad: Bad): PoGroup[] {
  const groups = new Map<string, { first: Row; group: PoGroup }>();
  rows.forEach((row, i) => {
    const n = i + 2; // row 1 is the header
    if (!row.po_number) return bad(n, 'po_number', 'is required: rows with the same po_number form one PO');
    const line = lineFromRow(row, n, bad);
    const known = groups.get(row.po_number);
    if (known) {
      checkSameHeader(known.first, known.group.rows[0], row, n, bad);
      known.group.rows.push(n);
      known.group.input.lines.push(line);
      return;
    }
    groups.set(row.po_number, { first: row, group: { number: row.po_number, rows: [n], input: { ...headerFromRow(row, n, bad), lines: [line] } } });
  });
  return [...groups.values()].map((g) => g.group);
}

function headerFromRow(row: Row, n: number, bad: Bad): Omit<PoInput, 'lines'> {
  const amounts = row.amounts?.toLowerCase();
  if (amounts && !AMOUNTS.includes(amounts as AmountsMode)) bad(n, 'amounts', `must be ${AMOUNTS.join(', ')} (got "${row.amounts.slice(0, 40)}")`);
  return {
    number: row.po_number,
    supplier: row.supplier ?? '',
    orderDate: row.order_date || undefined,
    expectedDate: row.expected_date || null,
    currency: row.currency || undefined,
    currencyRate: row.currency_rate ? valueOr(parseUnitCost(row.currency_rate), n, 'currency_rate', bad) : undefined,
    amounts: AMOUNTS.includes(amounts as AmountsMode) ? (amounts as AmountsMode) : undefined,
    location: row.location || undefined,
  };
}

/**
 * A row's line. A number that does not parse is reported here and replaced by a harmless stand-in,
 * so savePurchaseOrder still checks the rest of the row (an unknown SKU is reported too); the
 * stand-in never reaches the database, since any problem rolls the import back.
 */
function lineFromRow(row: Row, n: number, bad: Bad): PoLineInput {
  if (!row.sku) bad(n, 'sku', 'is required: the part\'s SKU or barcode');
  const quantity = valueOr(parseQuantity(row.quantity), n, 'quantity', bad);
  const factor = row.units_per_purchase_unit ? valueOr(parseQuantity(row.units_per_purchase_unit), n, 'units_per_purchase_unit', bad) : undefined;
  if (quantity && factor && quantity.mul(factor).gt(MAX_QUANTITY)) bad(n, 'quantity', `× units_per_purchase_unit is too many stock units (at most ${MAX_QUANTITY.toFixed()})`);
  return {
    part: row.sku ?? '',
    description: row.description || undefined,
    quantity: quantity ?? new Decimal(1),
    purchaseUnit: row.purchase_unit || undefined,
    unitsPerPurchaseUnit: factor,
    unitPrice: valueOr(parseUnitCost(row.unit_price), n, 'unit_price', bad) ?? new Decimal(0),
    taxRate: row.tax_rate ? valueOr(parsePercent(row.tax_rate), n, 'tax_rate', bad) : undefined,
    accountCode: row.account_code || undefined,
  };
}

/** A tax rate: 0 is a real rate (zero-rated goods), and the column keeps 4 decimal places. */
function parsePercent(raw: string): Parsed {
  const p = parseDecimalText(raw);
  if (!p.ok) return p;
  if (p.value.isNeg() || p.value.gt(100)) return { ok: false, reason: 'must be a percentage from 0 to 100' };
  if (p.value.decimalPlaces() > 4) return { ok: false, reason: 'has too many decimal places (at most 4)' };
  return p;
}

function valueOr(p: Parsed, n: number, column: string, bad: Bad): Decimal | undefined {
  if (p.ok) return p.value;
  bad(n, column, p.reason);
  return undefined;
}

/** A later row of a PO may repeat its header or leave it blank, but not say something else. */
function checkSameHeader(first: Row, firstRow: number, row: Row, n: number, bad: Bad): void {
  for (const c of HEADER_COLUMNS) {
    const v = row[c] ?? '';
    if (v === '' || sameHeaderValue(c, first[c] ?? '', v)) continue;
    bad(n, c, `"${v.slice(0, 60)}" contradicts row ${firstRow} of PO ${row.po_number}, which has ${first[c] ? `"${first[c]}"` : 'it blank'}; a PO's header comes from its first row`);
  }
}

function sameHeaderValue(column: string, a: string, b: string): boolean {
  if (column === 'currency_rate') {
    const [x, y] = [parseDecimalText(a), parseDecimalText(b)];
    return x.ok && y.ok ? x.value.eq(y.value) : a === b;
  }
  // Suppliers are matched by name regardless of case; codes and modes are case-insensitive too.
  return column === 'location' ? a === b : a.toLowerCase() === b.toLowerCase();
}
