import { stringify } from 'csv-stringify/sync';

/** A cell as the exports have it: text, or a number already formatted as text. */
export type CsvCell = string | number | null | undefined;

/** A plain decimal number (an amount, a quantity): what spreadsheets read as a number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;
/** What a spreadsheet runs as a formula (or DDE command) when a cell starts with it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell made safe to open in a spreadsheet: text starting with = + - @, a tab or a carriage
 * return gets a leading apostrophe, so a hostile part name or narration such as
 * =HYPERLINK(...) is shown as text rather than run. Plain decimal numbers are left alone:
 * credit amounts and negative quantities ("-12.50") start with "-" too, and must stay numbers a
 * spreadsheet can add up; nothing that matches PLAIN_NUMBER can be a formula.
 */
export function safeCell(value: CsvCell): string {
  const text = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** A cell as written by safeCell read back (the imports use it, so an export imports back unchanged). */
export function unsafeCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) && !PLAIN_NUMBER.test(text.slice(1)) ? text.slice(1) : text;
}

/** Every CSV the app writes: a header and rows, each cell through safeCell. */
export function writeCsv(header: readonly string[], rows: readonly CsvCell[][]): string {
  return stringify([[...header], ...rows.map((row) => row.map(safeCell))]);
}
