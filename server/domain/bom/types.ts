import { Decimal } from '../decimal';

/** One line of an assembly's bill of materials: a bought part or another assembly. */
export type BomLine = {
  parent: string; // the assembly (SKU)
  component: string; // SKU
  qtyPer: Decimal; // per one unit of the parent
  attritionPct: Decimal; // expected loss in making: 2 means 2% more is needed
  step: number | null; // the job step that consumes it
  optional: boolean;
  note: string; // reference designators
};

export type BomsByParent = ReadonlyMap<string, readonly BomLine[]>;

export function byParent(lines: readonly BomLine[]): Map<string, BomLine[]> {
  const map = new Map<string, BomLine[]>();
  for (const l of lines) map.set(l.parent, [...(map.get(l.parent) ?? []), l]);
  return map;
}
