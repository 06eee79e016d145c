import { Trx, Db } from '../../db';
import { BomLine, need } from '../../domain/bom';
import { Decimal, str } from '../../domain/decimal';
import { Conflict } from '../../errors';
import { bomLinesAbove } from './graph';
import { partBySku } from './views';
import { WhereUsedRow, WhereUsedView } from './types';

type Q = Trx | Db;
export const MAX_WHERE_USED = 10_000;

/**
 * Every assembly that uses a part, directly (level 1) or through sub-assemblies, once per path,
 * with how many of the part one unit of the assembly takes along that path (attrition included).
 * Nearest first.
 */
export async function whereUsed(q: Q, tenantId: string, sku: string): Promise<WhereUsedView> {
  const part = await partBySku(q, tenantId, sku);
  const usedBy = new Map<string, BomLine[]>();
  for (const l of await bomLinesAbove(q, tenantId, part.id)) usedBy.set(l.component, [...(usedBy.get(l.component) ?? []), l]);
  const found: { lines: BomLine[] }[] = [];
  // Up from the part: `lines` runs from the assembly reached down to the part.
  const climb = (current: string, lines: BomLine[]) => {
    for (const line of usedBy.get(current) ?? []) {
      if (lines.some((l) => l.parent === line.parent)) continue; // a loop in stored data: never walk it twice
      const path = [line, ...lines];
      found.push({ lines: path });
      if (found.length > MAX_WHERE_USED) throw new Conflict(`${part.sku} is used on more than ${MAX_WHERE_USED} paths; look at its direct assemblies one by one`);
      climb(line.parent, path);
    }
  };
  climb(part.sku, []);
  const names = await namesOf(q, tenantId, [...new Set(found.map((f) => f.lines[0].parent))]);
  const rows = found.map(({ lines }): WhereUsedRow => ({
    sku: lines[0].parent,
    name: names.get(lines[0].parent) ?? '',
    level: lines.length,
    path: [...lines.map((l) => l.parent), part.sku],
    quantity: str(lines.reduce((qty, l) => need(qty, l), new Decimal(1))),
    optional: lines.some((l) => l.optional),
    top_level: !usedBy.has(lines[0].parent),
  }));
  rows.sort((a, b) => a.level - b.level || byText(a.path.join(' > '), b.path.join(' > ')));
  return { sku: part.sku, name: part.name, used_in: rows };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function namesOf(q: Q, tenantId: string, skus: string[]): Promise<Map<string, string>> {
  if (!skus.length) return new Map();
  const rows = await q('parts').where({ tenant_id: tenantId }).whereIn('sku', skus).select('sku', 'name');
  return new Map(rows.map((r) => [r.sku as string, r.name as string]));
}
