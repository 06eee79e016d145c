import { Decimal, ZERO, QTY_DP } from '../decimal';
import { BomLine, BomsByParent } from './types';

export type BomNode = {
  part: string;
  level: number; // the root is 0
  line: BomLine | null; // null for the root
  required: Decimal; // for the quantity built, attrition included
  children: BomNode[];
};

/**
 * The whole tree of an assembly built in `quantity`: each line needs its parent's requirement
 * times quantity per unit, plus attrition (rounded up to the 6 decimal places quantities keep, so
 * never less than needed). Optional lines are left out unless asked for. The BOMs must be
 * loop-free (see cycles.ts); a loop found here is a bug, not input.
 */
export function explode(boms: BomsByParent, root: string, quantity: Decimal, opts: { includeOptional?: boolean } = {}): BomNode {
  const walk = (part: string, required: Decimal, level: number, line: BomLine | null, path: Set<string>): BomNode => {
    if (path.has(part)) throw new Error(`BOM loop through ${[...path, part].join(' > ')}`);
    const next = new Set(path).add(part);
    const children = (boms.get(part) ?? [])
      .filter((l) => opts.includeOptional || !l.optional)
      .map((l) => walk(l.component, need(required, l), level + 1, l, next));
    return { part, level, line, required, children };
  };
  return walk(root, quantity, 0, null, new Set());
}

export function need(parentQty: Decimal, line: BomLine): Decimal {
  return parentQty.mul(line.qtyPer).mul(line.attritionPct.div(100).plus(1)).toDecimalPlaces(QTY_DP, Decimal.ROUND_UP);
}

/** What the tree consumes from stock: leaf parts (nothing under them) summed across the tree. */
export function leafRequirements(tree: BomNode): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  const visit = (n: BomNode) => {
    if (!n.children.length && n.level > 0) out.set(n.part, (out.get(n.part) ?? ZERO).plus(n.required));
    n.children.forEach(visit);
  };
  visit(tree);
  return out;
}

/** Every part in the tree once, with its deepest level: the order to plan sub-assemblies in (deepest first). */
export function lowLevelCodes(tree: BomNode): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (n: BomNode) => {
    out.set(n.part, Math.max(out.get(n.part) ?? 0, n.level));
    n.children.forEach(visit);
  };
  visit(tree);
  return out;
}
