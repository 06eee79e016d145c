import { Db } from '../../db';
import { dec } from '../../domain/decimal';
import { saveBom } from '../boms/save-bom';
import { BomLineInput } from '../boms/types';
import { createJob } from '../jobs/create-job';
import { completeStep } from '../jobs/complete-step';
import { Actor } from '../stock/types';
import { addDays } from './plan';

/*
 * The demo's manufacturing, made through the real services: multi-level BOMs for two products,
 *
 *   BS-TWIN-2.2  booster set      > 2 x CP-50-160-2.2 pump > SA-ROT-50-160 rotating assembly > shaft steel, impeller, seal, bearings
 *                                 > SA-CP-DOL-2.2 control panel > enclosure, contactor, overload, isolator, terminals, cable
 *                                 > SA-BASE-2 baseplate > hollow section, plate, primer
 *   CP-50-160-2.2 pump            > SA-ROT-50-160, volute, motor (serial), SA-BASE-1 baseplate, couplings, rating plate
 *
 * and three released jobs: pumps for stock (its first step done, so WIP shows), a booster set for
 * a customer, and a larger booster-set order that is short of pumps (a child job can be made).
 */

const l = (component: string, qty: string, step: number | null, attrition = '0', note = ''): BomLineInput => ({ component, qtyPer: dec(qty), step, attritionPct: dec(attrition), note });

export const DEMO_BOMS: [string, BomLineInput[]][] = [
  ['SA-ROT-50-160', [
    l('STL-EN8-40', '1.2', 1, '5', 'shaft blank'), l('CST-IMP-50-160', '1', 1), l('SEAL-MS-25', '1', 2), l('BRG-6205-2RS', '2', 2, '0', 'DE, NDE'), l('CST-BH-1', '1', 2),
  ]],
  ['SA-BASE-1', [l('STL-ANG-50', '8.5', 1, '10'), l('STL-S275-3', '4', 1, '5'), l('PNT-PRM-ZP', '0.4', 2)]],
  ['SA-BASE-2', [l('STL-RHS-60-40', '12', 1, '8'), l('STL-S275-5', '6', 1, '5'), l('PNT-PRM-ZP', '0.6', 2)]],
  ['SA-CP-DOL-2.2', [
    l('ELC-ENC-4030', '1', 1), l('ELC-ISO-20A', '1', 1, '0', 'Q1'), l('ELC-CON-9A', '1', 1, '0', 'K1'), l('ELC-OLR-4-6', '1', 1, '0', 'F1'),
    l('ELC-TB-DIN-4', '6', 1, '0', 'X1:1-6'), l('CAB-SY-3C-1.5', '2.5', 2, '10'),
  ]],
  ['CP-50-160-2.2', [
    l('SA-ROT-50-160', '1', 1), l('CST-VOL-50-160', '1', 1), l('GSK-50', '1', 1), l('SA-BASE-1', '1', 2), l('MTR-IE3-2.2-4P', '1', 2),
    l('CMP-CPL-L100', '2', 2), l('CMP-CPL-SPD-100', '1', 2), l('PKG-RPL-BLANK', '1', 3, '0', 'rating plate'),
  ]],
  ['BS-TWIN-2.2', [
    l('CP-50-160-2.2', '2', 1, '0', 'duty, standby'), l('SA-BASE-2', '1', 1), l('PIP-FLG-DN50', '4', 1), l('PIP-BV-2IN', '2', 1), l('PIP-NRV-DN50', '2', 1),
    l('SA-CP-DOL-2.2', '1', 2), l('PIP-PG-10-63', '1', 2), l('ELC-PT-10-420', '1', 2), l('CAB-SY-3C-1.5', '3', 2, '10'),
  ]],
];

export async function createDemoManufacturing(db: Db, actor: Actor, today: string): Promise<{ boms: number; jobs: number }> {
  for (const [parent, lines] of DEMO_BOMS) await saveBom(db, actor, parent, lines);
  const pumps = (await createJob(db, actor, { part: 'CP-50-160-2.2', quantity: dec(2), dueOn: addDays(today, 7), priority: 2, salePrice: dec('1180'), labourRate: dec('38'), release: true })).body;
  // Step 1 only where everything it needs was allocated, so the demo never depends on the random stock.
  if (pumps.lines.filter((x) => x.step === 1).every((x) => x.short === '0')) {
    await completeStep(db, actor, pumps.id, { step: 1, quantity: dec(1), labourMinutes: dec(45), occurredOn: today });
  }
  await createJob(db, actor, { part: 'BS-TWIN-2.2', quantity: dec(1), customer: 'Harbour View Apartments', dueOn: addDays(today, 14), salePrice: dec('3450'), labourRate: dec('38'), release: true });
  await createJob(db, actor, { part: 'BS-TWIN-2.2', quantity: dec(4), customer: 'Dunmore Leisure Centre', dueOn: addDays(today, 28), salePrice: dec('3390'), labourRate: dec('38'), release: true });
  return { boms: DEMO_BOMS.length, jobs: 3 };
}
