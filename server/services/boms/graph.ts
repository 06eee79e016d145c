import { Trx, Db } from '../../db';
import { Decimal } from '../../domain/decimal';
import { BomLine } from '../../domain/bom';

type Q = Trx | Db;

/** A BOM line as stored: the domain's line (parts by SKU) with its row id and place in its BOM. */
export type StoredBomLine = BomLine & { id: string; position: number };

/**
 * BOM saves queue per organisation (a transaction-scoped advisory lock). Each save checks for
 * loops against the BOMs committed before it; without the queue two saves at the same moment
 * (A under B, and B under A) would each see no loop and together make one.
 */
export async function lockBoms(trx: Trx, tenantId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`boms:${tenantId}`]);
}

const LINE_COLUMNS = `l.id, l.position, l.qty_per::text as qty_per, l.attrition_pct::text as attrition_pct, l.step, l.optional, l.note,
       pp.sku as parent, cp.sku as component`;
const LINE_JOINS = `join parts pp on pp.tenant_id = l.tenant_id and pp.id = l.parent_part_id
       join parts cp on cp.tenant_id = l.tenant_id and cp.id = l.component_part_id`;

/** Every BOM line at or below the given parts: their own BOMs, their components' BOMs, and so on down. */
export async function bomLinesBelow(q: Q, tenantId: string, partIds: string[]): Promise<StoredBomLine[]> {
  if (!partIds.length) return [];
  // UNION (not UNION ALL) visits each part once, so the walk ends even on data that loops.
  const { rows } = await q.raw(
    `with recursive reach(part_id) as (
       select value::uuid from json_array_elements_text(?::json)
       union
       select l.component_part_id from bom_lines l join reach r on l.parent_part_id = r.part_id where l.tenant_id = ?
     )
     select ${LINE_COLUMNS}
       from bom_lines l join reach r on r.part_id = l.parent_part_id
       ${LINE_JOINS}
      where l.tenant_id = ?
      order by pp.sku, l.position`,
    [JSON.stringify([...new Set(partIds)]), tenantId, tenantId],
  );
  return rows.map(toLine);
}

/** Every BOM line on a path from an assembly down to the part: the lines using it, the lines using those, and so on up. */
export async function bomLinesAbove(q: Q, tenantId: string, partId: string): Promise<StoredBomLine[]> {
  const { rows } = await q.raw(
    `with recursive reach(part_id) as (
       select ?::uuid
       union
       select l.parent_part_id from bom_lines l join reach r on l.component_part_id = r.part_id where l.tenant_id = ?
     )
     select ${LINE_COLUMNS}
       from bom_lines l join reach r on r.part_id = l.component_part_id
       ${LINE_JOINS}
      where l.tenant_id = ?
      order by pp.sku, l.position`,
    [partId, tenantId, tenantId],
  );
  return rows.map(toLine);
}

/** Every BOM line of the organisation, by assembly SKU and position (the CSV export's order). */
export async function allBomLines(q: Q, tenantId: string): Promise<StoredBomLine[]> {
  const { rows } = await q.raw(`select ${LINE_COLUMNS} from bom_lines l ${LINE_JOINS} where l.tenant_id = ? order by pp.sku, l.position`, [tenantId]);
  return rows.map(toLine);
}

function toLine(r: Record<string, any>): StoredBomLine {
  return {
    id: r.id,
    position: r.position,
    parent: r.parent,
    component: r.component,
    qtyPer: new Decimal(r.qty_per),
    attritionPct: new Decimal(r.attrition_pct),
    step: r.step ?? null,
    optional: r.optional,
    note: r.note,
  };
}
