import { z, ZodError } from 'zod';
import { code, lot, quantity, serials, unitCost } from './schemas';
import { partSchema, toPartInput } from './catalogue-input';
import { CellProblems, CsvRow, readImportCsv } from '../services/csv-import';
import { PART_CSV_COLUMNS, PartsCsv, PartRow } from '../services/import-parts';

/** A row's stock columns, checked as a stock line of POST /stock/opening-balances is. */
const stockSchema = z.object({ location: code('location'), quantity, unit_cost: unitCost, lot, serials });
const PART_COLUMNS = Object.keys(partSchema.shape).filter((c) => (PART_CSV_COLUMNS as readonly string[]).includes(c));
const rowLabel = (row: number, column: string) => `Row ${row} · ${column}`;

/** Rows checked between two reports of progress (and two turns of the event loop). */
const STEP = 500;

/**
 * The parts CSV read and checked row by row, before any database work: the first row of each SKU
 * that names a part goes through the very schema POST /parts uses (SKU rule, lengths, source,
 * tracking, reorder point, unstorable text), and a row with stock through the stock line's.
 * Every problem is named by row and column ("Row 3 · name: …"); the file is refused whole.
 */
export function readPartsCsv(csv: string): PartsCsv {
  const reading = new PartsCsvReading(csv);
  reading.check(reading.total);
  return reading.finish();
}

/**
 * The same reading in steps of STEP rows, telling `progress` after each one and letting other
 * requests (the page's progress polls) in between: for an import running in the background.
 */
export async function readPartsCsvInSteps(
  csv: string, progress: (checked: number, total: number) => Promise<void>,
): Promise<PartsCsv> {
  const reading = new PartsCsvReading(csv);
  await progress(0, reading.total);
  while (reading.checked < reading.total) {
    reading.check(STEP);
    await progress(reading.checked, reading.total);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return reading.finish();
}

class PartsCsvReading {
  private readonly rows: CsvRow[];
  private readonly problems = new CellProblems(rowLabel);
  private readonly out: PartRow[] = [];
  private readonly seen = new Set<string>();

  constructor(csv: string) {
    this.rows = readImportCsv(csv, PART_CSV_COLUMNS, []);
  }

  get total(): number {
    return this.rows.length;
  }

  get checked(): number {
    return this.out.length;
  }

  check(count: number): void {
    const end = Math.min(this.rows.length, this.out.length + count);
    for (let i = this.out.length; i < end; i++) {
      const cells = this.rows[i];
      const first = !this.seen.has(cells.sku ?? '');
      this.seen.add(cells.sku ?? '');
      this.out.push(readRow(i + 2, cells, first, this.problems)); // row 1 is the header
    }
  }

  finish(): PartsCsv {
    this.problems.throwIfAny();
    return { rows: this.out };
  }
}

function readRow(row: number, cells: CsvRow, first: boolean, problems: CellProblems): PartRow {
  const given = Object.fromEntries(Object.entries(cells).filter(([, v]) => v !== ''));
  const sku = partSchema.shape.sku.safeParse(given.sku ?? '');
  if (!sku.success) problems.bad(row, 'sku', inWords(sku.error.issues[0]));
  const out: PartRow = { row, sku: cells.sku ?? '' };
  // Only a SKU's first row may define the part; later rows (and rows for parts that exist) add stock.
  if (first && given.name !== undefined) {
    try {
      out.part = toPartInput(Object.fromEntries(PART_COLUMNS.map((c) => [c, given[c]]).filter(([, v]) => v !== undefined)));
    } catch (err) {
      if (!(err instanceof ZodError)) throw err;
      for (const issue of err.issues) problems.bad(row, String(issue.path[0] ?? 'row'), inWords(issue));
    }
  }
  if (given.location !== undefined || given.quantity !== undefined || given.unit_cost !== undefined) {
    const stock = stockSchema.safeParse({ location: given.location ?? '', quantity: given.quantity ?? '', unit_cost: given.unit_cost ?? '', lot: given.lot, serials: given.serials });
    if (stock.success) out.stock = { part: out.sku, location: stock.data.location, quantity: stock.data.quantity, unitCost: stock.data.unit_cost, lot: stock.data.lot, serials: stock.data.serials };
    else for (const issue of stock.error.issues) problems.bad(row, String(issue.path[0] ?? 'row'), inWords(issue));
  }
  return out;
}

/** zod's own wording for a length limit is for programmers; say it as the pages do. */
function inWords(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_big' && issue.origin === 'string') return `is too long (${issue.maximum} characters at most)`;
  if (issue.code === 'invalid_value') return `must be ${issue.values.map(String).join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
  return issue.message;
}
