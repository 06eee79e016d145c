import { Db, Trx } from '../../db';
import { NotFound } from '../../errors';

type Q = Db | Trx;

export type Traceable = { part: string; name: string; tracking: string; serial: string | null; lot: string | null };

/**
 * What a scanned code is: a serial or a lot, of which part. The part narrows it when given.
 * Serials (in stock or ever made) and lots made or held are looked up first; only when none
 * match is the ledger searched for a lot that has left stock (slower: movements have no lot index).
 */
export async function findTraceable(q: Q, tenantId: string, code: string, partSku?: string): Promise<Traceable[]> {
  let partId: string | undefined;
  if (partSku) {
    const part = await q('parts').where({ tenant_id: tenantId, sku: partSku }).first('id');
    if (!part) throw new NotFound('Part', partSku);
    partId = part.id;
  }
  const { rows } = await q.raw(
    `select distinct p.sku, p.name, p.tracking, c.serial, c.lot from (
        select part_id, serial, null::text as lot from serials where tenant_id = ? and serial = ?
        union select part_id, serial, null from job_outputs where tenant_id = ? and serial = ?
        union select part_id, null, lot from job_outputs where tenant_id = ? and lot = ? and serial is null
        union select part_id, null, lot from stock_balances where tenant_id = ? and lot = ?) c
      join parts p on p.tenant_id = ? and p.id = c.part_id
     where (?::uuid is null or p.id = ?::uuid)
     order by p.sku, c.serial, c.lot`,
    [tenantId, code, tenantId, code, tenantId, code, tenantId, code, tenantId, partId ?? null, partId ?? null],
  );
  if (rows.length) return rows.map((r: Record<string, any>) => ({ part: r.sku, name: r.name, tracking: r.tracking, serial: r.serial, lot: r.lot }));
  const left = await q('stock_movements as m').join('parts as p', function () { this.on('p.tenant_id', 'm.tenant_id').andOn('p.id', 'm.part_id'); })
    .where({ 'm.tenant_id': tenantId, 'm.lot': code }).modify((b) => { if (partId) b.andWhere('m.part_id', partId); })
    .distinct('p.sku', 'p.name', 'p.tracking').orderBy('p.sku');
  return left.map((r) => ({ part: r.sku, name: r.name, tracking: r.tracking, serial: null, lot: code }));
}
