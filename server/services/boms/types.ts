import { Decimal } from '../../domain/decimal';

/** One line of an assembly's BOM as a person or a CSV gives it: the component by SKU (or barcode). */
export type BomLineInput = {
  component: string;
  qtyPer: Decimal; // per one unit of the assembly
  attritionPct?: Decimal; // default 0
  step?: number | null; // the job step that consumes it
  optional?: boolean;
  note?: string; // reference designators
};

export type BomLineView = {
  id: string;
  position: number;
  component: string; // SKU
  component_name: string;
  unit: string;
  qty_per: string;
  attrition_pct: string;
  step: number | null;
  optional: boolean;
  note: string;
  has_bom: boolean; // the component is itself an assembly
};

export type BomView = { sku: string; name: string; unit: string; source: 'bought' | 'made' | 'both'; lines: BomLineView[] };

export type AssemblySummary = { sku: string; name: string; unit: string; source: 'bought' | 'made' | 'both'; lines: number; top_level: boolean };

export type TreeNodeView = {
  sku: string;
  name: string;
  unit: string;
  level: number; // the assembly built is 0
  path: string[]; // SKUs from the assembly down to this node
  qty_per: string | null; // null at the root
  attrition_pct: string | null;
  step: number | null;
  optional: boolean; // an optional line, or under one
  note: string;
  has_bom: boolean;
  required: string; // for the build quantity, attrition included
  total_required: string; // this part over the whole tree (optional lines left out)
  on_hand: string;
  allocated: string;
  available: string;
  on_order: string;
  short: boolean; // total_required > available
};

export type BomTreeView = { sku: string; name: string; unit: string; quantity: string; nodes: TreeNodeView[]; short_parts: string[] };

export type WhereUsedRow = {
  sku: string; // the assembly
  name: string;
  level: number; // 1: uses the part directly
  path: string[]; // SKUs from the assembly down to the part
  quantity: string; // of the part in one unit of the assembly, along this path, attrition included
  optional: boolean; // a line on the path is optional
  top_level: boolean; // no other assembly uses it
};

export type WhereUsedView = { sku: string; name: string; used_in: WhereUsedRow[] };

export type BomImportResult = { assemblies: number; lines: number; boms: { sku: string; lines: number }[] };
