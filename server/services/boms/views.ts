import { Trx, Db } from '../../db';
import { Decimal, str } from '../../domain/decimal';
import { NotFound } from '../../errors';
import { Part, toPart } from '../../repos/catalogue';
import { AssemblySummary, BomView } from './types';

type Q = Trx | Db;

/** A part by its SKU exactly (URLs and CSV parents name SKUs, not barcodes). */
export async function partBySku(q: Q, tenantId: string, sku: string, field?: string): Promise<Part> {
  const row = await q('parts').where({ tenant_id: tenantId, sku }).first();
  if (!row) throw new NotFound('Part', sku, field);
  return toPart(row);
}

/** Parts that have a BOM, by SKU, with their line counts; top_level when no other BOM uses them. */
export async function listAssemblies(q: Q, tenantId: string): Promise<AssemblySummary[]> {
  const { rows } = await q.raw(
    `select p.sku, p.name, p.unit, p.source, count(*)::int as lines,
            not exists (select 1 from bom_lines u where u.tenant_id = p.tenant_id and u.component_part_id = p.id) as top_level
       from bom_lines l join parts p on p.tenant_id = l.tenant_id and p.id = l.parent_part_id
      where l.tenant_id = ?
      group by p.tenant_id, p.id, p.sku, p.name, p.unit, p.source
      order by p.sku`,
    [tenantId],
  );
  return rows.map((r: Record<string, any>) => ({ sku: r.sku, name: r.name, unit: r.unit, source: r.source, lines: Number(r.lines), top_level: r.top_level }));
}

/** One assembly's lines in order (none when the part has no BOM yet). */
export async function getBom(q: Q, tenantId: string, sku: string): Promise<BomView> {
  const part = await partBySku(q, tenantId, sku);
  const { rows } = await q.raw(
    `select l.id, l.position, l.qty_per::text as qty_per, l.attrition_pct::text as attrition_pct, l.step, l.optional, l.note,
            c.sku, c.name, c.unit,
            exists (select 1 from bom_lines s where s.tenant_id = l.tenant_id and s.parent_part_id = l.component_part_id) as has_bom
       from bom_lines l join parts c on c.tenant_id = l.tenant_id and c.id = l.component_part_id
      where l.tenant_id = ? and l.parent_part_id = ?
      order by l.position`,
    [tenantId, part.id],
  );
  return {
    sku: part.sku,
    name: part.name,
    unit: part.unit,
    source: part.source,
    lines: rows.map((r: Record<string, any>) => ({
      id: r.id,
      position: r.position,
      component: r.sku,
      component_name: r.name,
      unit: r.unit,
      qty_per: str(new Decimal(r.qty_per)),
      attrition_pct: str(new Decimal(r.attrition_pct)),
      step: r.step ?? null,
      optional: r.optional,
      note: r.note,
      has_bom: r.has_bom,
    })),
  };
}
