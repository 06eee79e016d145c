import { writeCsv } from '../csv-export';
import { Recall } from './types';

const COLUMNS = ['level', 'job', 'part', 'name', 'serial', 'lot', 'quantity', 'in_stock', 'consumed_into', 'dispatch', 'customer', 'dispatched_on'];

/**
 * The recall as CSV: one row per affected unit and dispatch (a unit shipped twice has two rows,
 * one never shipped has one); level 0 rows are the recalled item shipped as it was. Formula-looking
 * text is neutralised by writeCsv, as in every export.
 */
export function recallCsv(r: Recall): string {
  const rows: string[][] = r.dispatches.filter((d) => d.level === 0).map((d) => ['0', '', d.part, r.name, d.serial ?? '', d.lot ?? '', d.quantity, '', '', d.number, d.customer, d.occurred_on]);
  for (const u of r.units) {
    const base = [String(u.level), u.job, u.part, u.name, u.serial ?? '', u.lot ?? '', u.quantity, u.in_stock, u.consumed_into.join(' ')];
    const sent = r.dispatches.filter((d) => d.level === u.level && d.job === u.job && d.part === u.part && d.serial === u.serial && d.lot === u.lot);
    if (!sent.length) rows.push([...base, '', '', '']);
    for (const d of sent) rows.push([...base, d.number, d.customer, d.occurred_on]);
  }
  return writeCsv(COLUMNS, rows);
}
