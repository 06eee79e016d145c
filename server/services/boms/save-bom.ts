import { Db, Trx } from '../../db';
import { byParent, BomLine } from '../../domain/bom';
import { Decimal, str, ZERO } from '../../domain/decimal';
import { Invalid } from '../../errors';
import { partsAndLocations, Part } from '../../repos/catalogue';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { inTransaction } from '../transaction';
import { Actor } from '../stock/types';
import { bomLinesBelow, lockBoms, StoredBomLine } from './graph';
import { checkBomLines, CheckedLine } from './check-lines';
import { loopMessage, loopsMadeBy, Loop } from './loops';
import { getBom, partBySku } from './views';
import { BomLineInput, BomView } from './types';

/** One assembly's new lines, checked: what writeBoms stores in place of its old ones. */
export type BomReplacement = { parent: Part; lines: CheckedLine[] };

/**
 * Replace one assembly's BOM with these lines (none: the part has no BOM any more), all or
 * nothing. Every problem is reported at once at its field ("lines.2.component"), a loop with
 * the path that loops.
 */
export async function saveBom(db: Db, actor: Actor, parentSku: string, lines: BomLineInput[]): Promise<BomView> {
  return inTransaction(db, async (trx) => {
    await lockBoms(trx, actor.tenantId);
    await replaceOne(trx, actor.tenantId, parentSku, lines, (i, f) => `lines.${i}.${f}`);
    return getBom(trx, actor.tenantId, parentSku);
  });
}

/**
 * Add one line at the end of an assembly's BOM (the BOM page's form). Read and written under the
 * BOM lock, so a line added by someone else meanwhile is kept. Problems name the new line's
 * fields plainly ("qty_per"), as the form shows them beside its boxes.
 */
export async function addBomLine(db: Db, actor: Actor, parentSku: string, line: BomLineInput, idem?: IdempotencyClaim): Promise<BomView> {
  const result = await inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async () => {
    await lockBoms(trx, actor.tenantId);
    const current = (await getBom(trx, actor.tenantId, parentSku)).lines.map(toInput);
    await replaceOne(trx, actor.tenantId, parentSku, [...current, line], (i, f) => (i === current.length ? f : `lines.${i}.${f}`));
    return getBom(trx, actor.tenantId, parentSku);
  }));
  return result.body;
}

/** Take one line out of an assembly's BOM. A line already gone (a second tap) changes nothing. */
export async function removeBomLine(db: Db, actor: Actor, parentSku: string, lineId: string): Promise<BomView> {
  return inTransaction(db, async (trx) => {
    await lockBoms(trx, actor.tenantId);
    const bom = await getBom(trx, actor.tenantId, parentSku);
    if (bom.lines.some((l) => l.id === lineId)) {
      await replaceOne(trx, actor.tenantId, parentSku, bom.lines.filter((l) => l.id !== lineId).map(toInput), (i, f) => `lines.${i}.${f}`);
    }
    return getBom(trx, actor.tenantId, parentSku);
  });
}

function toInput(l: BomView['lines'][number]): BomLineInput {
  return { component: l.component, qtyPer: new Decimal(l.qty_per), attritionPct: new Decimal(l.attrition_pct), step: l.step, optional: l.optional, note: l.note };
}

async function replaceOne(trx: Trx, tenantId: string, parentSku: string, lines: BomLineInput[], at: (i: number, field: string) => string): Promise<void> {
  const parent = await partBySku(trx, tenantId, parentSku);
  const { parts } = await partsAndLocations(trx, tenantId, lines.map((l) => l.component), []);
  const { problems, checked } = checkBomLines(parent, lines, parts, at);
  for (const loop of await loopsAfter(trx, tenantId, [{ parent, lines: checked }])) {
    problems.push({ field: at(lineOf(lines, parts, loop), 'component'), message: loopMessage(loop) });
  }
  if (problems.length) throw new Invalid(problems);
  await writeBoms(trx, tenantId, [{ parent, lines: checked }]);
}

/** The first line naming the loop's component (by SKU or by barcode). */
function lineOf(lines: BomLineInput[], parts: Map<string, Part>, loop: Loop): number {
  return lines.findIndex((l) => parts.get(l.component)?.sku === loop.component);
}

/**
 * The loops the BOMs would have with these replacing the stored ones. Only what lies below the
 * new lines' components can lead back up to an assembly being saved, so only that is read.
 * The caller holds the BOM lock.
 */
export async function loopsAfter(trx: Trx, tenantId: string, replacements: BomReplacement[]): Promise<Loop[]> {
  const changed = new Set(replacements.map((r) => r.parent.sku));
  const below = await bomLinesBelow(trx, tenantId, replacements.flatMap((r) => r.lines.map((l) => l.part.id)));
  const proposed: BomLine[] = replacements.flatMap((r) => r.lines.map((l) => domainLine(r.parent.sku, l)));
  const kept: StoredBomLine[] = below.filter((l) => !changed.has(l.parent));
  return loopsMadeBy(byParent([...proposed, ...kept]), changed);
}

function domainLine(parent: string, l: CheckedLine): BomLine {
  return { parent, component: l.part.sku, qtyPer: l.qtyPer, attritionPct: l.attritionPct ?? ZERO, step: l.step ?? null, optional: !!l.optional, note: l.note ?? '' };
}

/**
 * Store checked BOMs in place of the old ones. A bought part that gets a BOM becomes "both":
 * it is made here now, and may still be bought in.
 */
export async function writeBoms(trx: Trx, tenantId: string, replacements: BomReplacement[]): Promise<void> {
  const ids = replacements.map((r) => r.parent.id);
  await trx('bom_lines').where({ tenant_id: tenantId }).whereIn('parent_part_id', ids).delete();
  const rows = replacements.flatMap((r) => r.lines.map((l, i) => ({
    tenant_id: tenantId,
    parent_part_id: r.parent.id,
    component_part_id: l.part.id,
    position: i + 1,
    qty_per: str(l.qtyPer),
    attrition_pct: str(l.attritionPct ?? ZERO),
    step: l.step ?? null,
    optional: !!l.optional,
    note: l.note ?? '',
  })));
  // In slices: PostgreSQL takes at most 65535 bound values in one statement.
  for (let i = 0; i < rows.length; i += 1000) await trx('bom_lines').insert(rows.slice(i, i + 1000));
  const made = replacements.filter((r) => r.lines.length).map((r) => r.parent.id);
  if (made.length) await trx('parts').where({ tenant_id: tenantId, source: 'bought' }).whereIn('id', made).update({ source: 'both' });
}
