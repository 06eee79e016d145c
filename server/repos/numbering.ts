import { Trx } from '../db';

/**
 * PO-00001, J-00001, D-00001...: one past the highest number of that form in the table.
 * Numbering queues per organisation and prefix (a transaction-scoped advisory lock), so documents
 * created at the same moment each read the number the previous one committed instead of clashing
 * on the unique key.
 */
export async function nextDocumentNumber(trx: Trx, table: string, tenantId: string, prefix: string): Promise<string> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`${table}-number:${tenantId}`]);
  // Numbers of more than 15 digits (given by hand or imported) are not ours: they would overflow
  // bigint (and a JavaScript number), and stop every document after them from being numbered.
  const row = await trx(table).where({ tenant_id: tenantId }).whereRaw(`number ~ '^${prefix}-[0-9]{1,15}$'`)
    .max({ n: trx.raw(`(substring(number from ${prefix.length + 2}))::bigint`) }).first();
  return `${prefix}-${String(Number(row?.n ?? 0) + 1).padStart(5, '0')}`;
}
