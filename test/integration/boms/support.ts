import { Db } from '../../../server/db';
import { dec } from '../../../server/domain/decimal';
import { Actor } from '../../../server/services/stock/types';
import { BomLineInput } from '../../../server/services/boms/types';
import { givenOrganisation, givenPart } from '../../support/builders';

/** A BOM line in the service's terms, from plain text numbers. */
export function bomLine(component: string, qtyPer: string | number, extra: Partial<BomLineInput> = {}): BomLineInput {
  return { component, qtyPer: dec(qtyPer), ...extra };
}

/** An organisation with the parts of a pump: PUMP, MOTOR, CASING, STATOR, BEARING, BOLT, SHEET (metres, fractional), MANUAL. */
export async function givenPumpParts(db: Db): Promise<Actor> {
  const actor = await givenOrganisation(db);
  for (const sku of ['PUMP', 'MOTOR', 'CASING', 'STATOR', 'BEARING', 'BOLT', 'MANUAL']) await givenPart(db, actor, sku);
  await givenPart(db, actor, 'SHEET', { unit: 'm', fractional: true });
  return actor;
}

/** The stored lines of every BOM, as "PARENT > COMPONENT x qty" in BOM order: to prove nothing changed. */
export async function storedBoms(db: Db, actor: Actor): Promise<string[]> {
  const rows = await db('bom_lines as l')
    .join('parts as p', (j) => j.on('p.id', 'l.parent_part_id').andOn('p.tenant_id', 'l.tenant_id'))
    .join('parts as c', (j) => j.on('c.id', 'l.component_part_id').andOn('c.tenant_id', 'l.tenant_id'))
    .where('l.tenant_id', actor.tenantId)
    .orderBy(['p.sku', 'l.position'])
    .select('p.sku as parent', 'c.sku as component', 'l.qty_per', 'l.position');
  return rows.map((r) => `${r.parent} > ${r.component} x ${dec(r.qty_per).toFixed()}`);
}

export async function sourceOf(db: Db, actor: Actor, sku: string): Promise<string> {
  return (await db('parts').where({ tenant_id: actor.tenantId, sku }).first('source')).source;
}
