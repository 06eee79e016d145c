import { writeCsv } from '../csv-export';
import { Trx, Db } from '../../db';
import { str } from '../../domain/decimal';
import { allBomLines } from './graph';
import { BOM_CSV_COLUMNS } from './import-boms';

/** Every BOM as the import reads it (same columns), by assembly SKU and line order: it round-trips. */
export async function exportBoms(q: Trx | Db, tenantId: string): Promise<string> {
  const lines = await allBomLines(q, tenantId);
  const rows = lines.map((l) => [l.parent, l.component, str(l.qtyPer), l.step ?? '', str(l.attritionPct), l.optional ? 'yes' : 'no', l.note]);
  return writeCsv(BOM_CSV_COLUMNS, rows);
}
