import { Trx, Db } from '../../db';
import { BomNode, BomsByParent, byParent, explode } from '../../domain/bom';
import { Decimal, str, ZERO } from '../../domain/decimal';
import { Conflict, Invalid } from '../../errors';
import { stockPositions } from '../purchasing/positions';
import { bomLinesBelow } from './graph';
import { partBySku } from './views';
import { BomTreeView, TreeNodeView } from './types';

type Q = Trx | Db;
/** More rows than a page (or a tablet) can show usefully; a BOM this wide is explored a level at a time. */
export const MAX_TREE_NODES = 10_000;

type Flat = { node: BomNode; path: string[]; optional: boolean };

/**
 * An assembly's BOM to every level for a build quantity, each node with its part's stock
 * figures (all locations). A part is short when what the whole tree needs of it (the same bolt
 * may appear under several sub-assemblies) is more than is available. Requirements are gross:
 * sub-assemblies on the shelf are not netted off their components. Optional lines are shown
 * but neither counted nor marked short.
 */
export async function bomTree(q: Q, tenantId: string, sku: string, quantity: Decimal): Promise<BomTreeView> {
  const root = await partBySku(q, tenantId, sku);
  if (!root.fractional && !quantity.isInteger()) throw Invalid.field('quantity', `${root.sku} is built in whole ${root.unit}; ${quantity.toFixed()} is not a whole number`);
  const boms = byParent(await bomLinesBelow(q, tenantId, [root.id]));
  const size = treeSize(boms, root.sku);
  if (size > MAX_TREE_NODES) throw new Conflict(`The BOM of ${root.sku} has ${size} lines to every level, more than the ${MAX_TREE_NODES} shown at once; open its sub-assemblies one by one`);
  const flat = flatten(explode(boms, root.sku, quantity, { includeOptional: true }));
  const parts = await partsOf(q, tenantId, [...new Set(flat.map((f) => f.node.part))]);
  const positions = await stockPositions(q, tenantId, [...parts.values()].map((p) => p.id));
  const totals = totalRequired(flat);
  const nodes = flat.map((f): TreeNodeView => {
    const part = parts.get(f.node.part)!;
    const pos = positions.get(part.id)!;
    const available = pos.onHand.minus(pos.allocated);
    const total = totals.get(f.node.part) ?? ZERO;
    const line = f.node.line;
    return {
      sku: part.sku, name: part.name, unit: part.unit, level: f.node.level, path: f.path,
      qty_per: line ? str(line.qtyPer) : null, attrition_pct: line ? str(line.attritionPct) : null, step: line?.step ?? null,
      optional: f.optional, note: line?.note ?? '', has_bom: boms.has(part.sku),
      required: str(f.node.required), total_required: str(f.node.level ? total : f.node.required),
      on_hand: str(pos.onHand), allocated: str(pos.allocated), available: str(available), on_order: str(pos.onOrder),
      short: f.node.level > 0 && !f.optional && total.gt(available),
    };
  });
  const shortParts = [...new Set(nodes.filter((n) => n.short).map((n) => n.sku))];
  return { sku: root.sku, name: root.name, unit: root.unit, quantity: str(quantity), nodes, short_parts: shortParts };
}

/** Nodes to every level (optional lines included), memoised per part so a huge tree is counted without being built. */
function treeSize(boms: BomsByParent, part: string, memo = new Map<string, number>()): number {
  const known = memo.get(part);
  if (known !== undefined) return known;
  const n = 1 + (boms.get(part) ?? []).reduce((sum, l) => sum + treeSize(boms, l.component, memo), 0);
  memo.set(part, n);
  return n;
}

/** Depth first, as the page lists them: each node with its path from the root, optional when it or a line above it is. */
function flatten(root: BomNode): Flat[] {
  const out: Flat[] = [];
  const visit = (node: BomNode, path: string[], optional: boolean) => {
    const here = [...path, node.part];
    const opt = optional || !!node.line?.optional;
    out.push({ node, path: here, optional: opt });
    node.children.forEach((c) => visit(c, here, opt));
  };
  visit(root, [], false);
  return out;
}

/** What the tree needs of each part over all its places (the root and optional lines left out). */
function totalRequired(flat: Flat[]): Map<string, Decimal> {
  const totals = new Map<string, Decimal>();
  for (const f of flat) {
    if (f.node.level === 0 || f.optional) continue;
    totals.set(f.node.part, (totals.get(f.node.part) ?? ZERO).plus(f.node.required));
  }
  return totals;
}

async function partsOf(q: Q, tenantId: string, skus: string[]): Promise<Map<string, { id: string; sku: string; name: string; unit: string }>> {
  const rows = await q('parts').where({ tenant_id: tenantId }).whereIn('sku', skus).select('id', 'sku', 'name', 'unit');
  return new Map(rows.map((r) => [r.sku as string, r]));
}
