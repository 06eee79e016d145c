import crypto from 'node:crypto';
import { Trx } from '../../db';
import { Decimal, ZERO, str, sum } from '../../domain/decimal';
import { takeInOrder } from '../../domain/jobs';
import { Part } from '../../repos/catalogue';
import { JobRow, JobLineRow, AllocationRow, allocationsOf } from './job-rows';

/**
 * Hard allocation. The caller holds the part locks (ledger.lockParts) that every stock event
 * takes, so availability read here cannot change until commit; the stock_balances check
 * (allocated <= on hand) stands behind it.
 */

type Bucket = { key: { lot: string; serial: string | null }; free: Decimal };

/** Allocate what each line still lacks from what is available at the job's location, line by line. */
export async function allocateLines(trx: Trx, tenantId: string, job: JobRow, lines: JobLineRow[], parts: Map<string, Part>): Promise<void> {
  const wanting = lines.filter((l) => outstanding(l).gt(0));
  if (!wanting.length) return;
  const buckets = await freeStock(trx, tenantId, job.locationId, wanting, parts);
  const rows: AllocationRow[] = [];
  for (const line of wanting) {
    const list = buckets.get(line.partId) ?? [];
    for (const t of takeInOrder(outstanding(line), list)) {
      const b = list.find((x) => x.key === t.key)!;
      b.free = b.free.minus(t.qty);
      rows.push({ id: crypto.randomUUID(), jobId: job.id, lineId: line.id, partId: line.partId, locationId: job.locationId, lot: t.key.lot, serial: t.key.serial, qty: t.qty });
    }
  }
  if (!rows.length) return;
  await trx('job_allocations').insert(rows.map((r) => ({ tenant_id: tenantId, id: r.id, job_id: r.jobId, job_line_id: r.lineId, part_id: r.partId, location_id: r.locationId, lot: r.lot, serial: r.serial, quantity: str(r.qty) })));
  await shiftBalances(trx, tenantId, rows.map((r) => ({ ...r, delta: r.qty })));
  await refreshLineTotals(trx, tenantId, [...new Set(rows.map((r) => r.lineId))]);
}

/** A line's shortfall still to allocate: required, less consumed and already allocated. */
export function outstanding(l: JobLineRow): Decimal {
  return Decimal.max(l.required.minus(l.consumed).minus(l.allocated), ZERO);
}

/** Give back allocations (whole rows or part of them): available rises, on hand does not move. */
export async function freeAllocations(trx: Trx, tenantId: string, freed: { row: AllocationRow; qty: Decimal }[], opts: { refreshLines?: boolean } = {}): Promise<void> {
  const real = freed.filter((f) => f.qty.gt(0));
  if (!real.length) return;
  const gone = real.filter((f) => f.qty.gte(f.row.qty)).map((f) => f.row.id);
  const less = real.filter((f) => f.qty.lt(f.row.qty)).map((f) => ({ id: f.row.id, quantity: str(f.row.qty.minus(f.qty)) }));
  if (gone.length) await trx('job_allocations').where({ tenant_id: tenantId }).whereIn('id', gone).delete();
  if (less.length) {
    await trx.raw(`update job_allocations a set quantity = v.quantity from json_to_recordset(?::json) as v(id uuid, quantity numeric) where a.tenant_id = ? and a.id = v.id`, [JSON.stringify(less), tenantId]);
  }
  await shiftBalances(trx, tenantId, real.map((f) => ({ ...f.row, delta: f.qty.neg() })));
  // A caller about to update the same lines anyway refreshes their totals in that one update.
  if (opts.refreshLines !== false) await refreshLineTotals(trx, tenantId, [...new Set(real.map((f) => f.row.lineId))]);
}

/** Everything still allocated to the job goes back to available (job completed or cancelled). */
export async function freeAllOf(trx: Trx, tenantId: string, jobId: string): Promise<void> {
  const rows = await allocationsOf(trx, tenantId, jobId);
  await freeAllocations(trx, tenantId, rows.map((row) => ({ row, qty: row.qty })));
}

/** Free stock at the location per part, oldest lot first; serial parts by serial not allocated to any job. */
async function freeStock(trx: Trx, tenantId: string, locationId: string, lines: JobLineRow[], parts: Map<string, Part>): Promise<Map<string, Bucket[]>> {
  const ids = [...new Set(lines.map((l) => l.partId))];
  const serialIds = ids.filter((id) => parts.get(id)!.tracking === 'serial');
  const otherIds = ids.filter((id) => parts.get(id)!.tracking !== 'serial');
  const out = new Map<string, Bucket[]>();
  if (otherIds.length) {
    const rows = await trx('stock_balances').where({ tenant_id: tenantId, location_id: locationId }).whereIn('part_id', otherIds)
      .whereRaw('on_hand > allocated').orderBy(['part_id', 'lot']).select('part_id', 'lot', trx.raw('(on_hand - allocated)::text as free'));
    for (const r of rows) out.set(r.part_id, [...(out.get(r.part_id) ?? []), { key: { lot: r.lot, serial: null }, free: new Decimal(r.free) }]);
  }
  if (serialIds.length) {
    const rows = await trx('serials as s').where({ 's.tenant_id': tenantId, 's.location_id': locationId, 's.status': 'in_stock' }).whereIn('s.part_id', serialIds)
      .whereNotExists((q) => q.select(trx.raw('1')).from('job_allocations as a').whereRaw('a.tenant_id = s.tenant_id and a.part_id = s.part_id and a.serial = s.serial'))
      .orderBy(['s.part_id', 's.lot', 's.serial']).select('s.part_id', 's.lot', 's.serial');
    for (const r of rows) out.set(r.part_id, [...(out.get(r.part_id) ?? []), { key: { lot: r.lot, serial: r.serial }, free: new Decimal(1) }]);
  }
  return out;
}

async function shiftBalances(trx: Trx, tenantId: string, moves: { partId: string; locationId: string; lot: string; delta: Decimal }[]): Promise<void> {
  const byKey = new Map<string, { part_id: string; location_id: string; lot: string; delta: Decimal }>();
  for (const m of moves) {
    const k = `${m.partId}|${m.locationId}|${m.lot}`;
    const prev = byKey.get(k)?.delta ?? ZERO;
    byKey.set(k, { part_id: m.partId, location_id: m.locationId, lot: m.lot, delta: prev.plus(m.delta) });
  }
  await trx.raw(
    `update stock_balances b set allocated = b.allocated + v.delta
       from json_to_recordset(?::json) as v(part_id uuid, location_id uuid, lot text, delta numeric)
      where b.tenant_id = ? and b.part_id = v.part_id and b.location_id = v.location_id and b.lot = v.lot`,
    [JSON.stringify([...byKey.values()].map((v) => ({ ...v, delta: str(v.delta) }))), tenantId],
  );
}

/** The allocated total of a job line, from its allocation rows (the SQL the line updates share). */
export const ALLOCATED_SQL = 'coalesce((select sum(a.quantity) from job_allocations a where a.tenant_id = l.tenant_id and a.job_id = l.job_id and a.job_line_id = l.id), 0)';

async function refreshLineTotals(trx: Trx, tenantId: string, lineIds: string[]): Promise<void> {
  await trx.raw(
    `update job_lines l set allocated_qty = ${ALLOCATED_SQL}
      where l.tenant_id = ? and l.id in (select json_array_elements_text(?::json)::uuid)`,
    [tenantId, JSON.stringify(lineIds)],
  );
}

export const totalOf = (rows: { qty: Decimal }[]) => sum(rows.map((r) => r.qty));
