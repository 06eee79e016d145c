import { parse } from 'csv-parse/sync';
import { DomainError, FieldProblem, Invalid } from '../errors';
import { unsafeCell } from './csv-export';
import { unstorableTextReason } from '../domain/text';

/** One CSV row by lower-case column name. */
export type CsvRow = Record<string, string>;
export type BadCell = (row: number, column: string, message: string) => void;

/**
 * The rows of an import CSV under its header (columns trimmed and lower-cased, a byte-order mark
 * dropped), refused as a whole when it cannot be read, has no rows, or has columns other than
 * `columns` or lacks one of `required`. Shared by the purchase-order and BOM imports.
 */
export function readImportCsv(csv: string, columns: readonly string[], required: readonly string[]): CsvRow[] {
  let rows: CsvRow[];
  try {
    rows = parse(csv, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true,
    }) as CsvRow[];
  } catch (err) {
    throw Invalid.field('csv', `The CSV could not be read: ${(err as Error).message}`);
  }
  // Our own exports neutralise formula-looking text with an apostrophe: take it off again. Done
  // here rather than in csv-parse's cast, which builds a context object for every cell.
  for (const row of rows) for (const c in row) if (row[c].startsWith("'")) row[c] = unsafeCell(row[c]);
  if (!rows.length) throw Invalid.field('csv', 'The CSV has no data rows under its header');
  refuseUnstorableCells(rows);
  const present = Object.keys(rows[0]);
  const unknown = present.filter((c) => !columns.includes(c));
  if (unknown.length) throw Invalid.field('csv', `Unknown column(s): ${unknown.join(', ')}; the columns are ${columns.join(', ')}`);
  const missing = required.filter((c) => !present.includes(c));
  if (missing.length) throw Invalid.field('csv', `Missing column(s): ${missing.join(', ')}; the columns are ${columns.join(', ')}`);
  return rows;
}

/**
 * A NUL byte in a file (a broken export, a binary pasted in) cannot be stored: the first such
 * cell refuses the file, named as the pages name cells, before any row is checked or written.
 */
function refuseUnstorableCells(rows: CsvRow[]): void {
  for (let i = 0; i < rows.length; i++) {
    for (const column in rows[i]) {
      const reason = unstorableTextReason(rows[i][column]);
      if (reason) throw Invalid.field(`Row ${i + 2} · ${column}`, reason); // row 1 is the header
    }
  }
}

/** How many of a refused file's problems are listed, in row order. */
export const PROBLEMS_LISTED = 100;

/**
 * An import's problems by cell ("row 3, quantity"), in row order; the first problem found in a
 * cell is the one reported. throwIfAny refuses the whole file, so nothing is imported.
 */
export class CellProblems {
  private readonly byCell = new Map<string, { row: number; problem: FieldProblem }>();
  readonly bad: BadCell = (row, column, message) => this.add(row, this.label(row, column), message);

  /** `label` names a cell; the parts import says "Row 3 · name" as the pages do. */
  constructor(private readonly label: (row: number, column: string) => string = (row, column) => `row ${row}, ${column}`) {}

  add(row: number, field: string, message: string): void {
    if (!this.byCell.has(field)) this.byCell.set(field, { row, problem: { field, message: `${field}: ${message}` } });
  }

  /** Problems whose fields already name their cells ("row 3, sku"); others go on `fallbackRow`. */
  addAll(problems: FieldProblem[], fallbackRow = 0): void {
    for (const p of problems) this.add(Number(/^row (\d+)/.exec(p.field)?.[1] ?? fallbackRow), p.field, p.message);
  }

  /** A service's refusal of one group of rows, starting at `firstRow`. */
  addFrom(err: DomainError, firstRow: number): void {
    if (!err.fields.length) return this.add(firstRow, `row ${firstRow}`, err.message);
    this.addAll(err.fields, firstRow);
  }

  /**
   * The first PROBLEMS_LISTED problems by row, then one line counting the rest: a file that is
   * wrong throughout (10,000 rows for parts that do not exist) must not make a 10,000-item page.
   */
  throwIfAny(): void {
    if (!this.byCell.size) return;
    const all = [...this.byCell.values()].sort((a, b) => a.row - b.row).map((x) => x.problem);
    const list = all.slice(0, PROBLEMS_LISTED);
    const more = all.length - list.length;
    const rest = `and ${more} more problem(s) not listed here; fix these and import again to see them`;
    if (more > 0) list.push({ field: 'csv', message: rest });
    throw new Invalid(list, `The CSV has ${all.length} problem(s); nothing was imported`);
  }
}
