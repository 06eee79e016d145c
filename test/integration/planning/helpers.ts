// Shared by the shortage and traceability tests (not a test file itself).
import { Db } from '../../../server/db';
import { dec } from '../../../server/domain/decimal';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { Actor } from '../../../server/services/stock/types';
import { createPurchaseOrder } from '../../../server/services/purchasing/create-po';
import { makeChildJob } from '../../../server/services/jobs/child-job';
import { jobView } from '../../../server/services/jobs/views';
import { createJob } from '../../../server/services/jobs/create-job';
import { completeStep } from '../../../server/services/jobs/complete-step';
import { completeJob } from '../../../server/services/jobs/complete-job';
import { dispatchGoods } from '../../../server/services/dispatch/dispatch';
import { givenPart } from '../../support/builders';
import { line } from '../../support/ledger-checks';
import { givenBom, TODAY } from '../jobs/helpers';

export { givenBom, givenJob, givenStock, TODAY } from '../jobs/helpers';

/**
 * A three-level product: a GEARBOX (made) takes a HOUSING sub-assembly and 2 BOLTs; a HOUSING
 * takes a ROTOR sub-assembly and 3 NUTs; a ROTOR takes 2 WIREs and a MAGNET. Nothing in stock.
 */
export async function givenGearboxWorks(db: Db, actor: Actor): Promise<void> {
  for (const sku of ['BOLT', 'NUT', 'WIRE', 'MAGNET']) await givenPart(db, actor, sku);
  for (const sku of ['ROTOR', 'HOUSING', 'GEARBOX']) await givenPart(db, actor, sku, { source: 'made' });
  await givenBom(db, actor, [
    ['GEARBOX', 'HOUSING', 1, 1], ['GEARBOX', 'BOLT', 2, 1],
    ['HOUSING', 'ROTOR', 1, 1], ['HOUSING', 'NUT', 3, 1],
    ['ROTOR', 'WIRE', 2, 1], ['ROTOR', 'MAGNET', 1, 1],
  ]);
}

/** Opening stock at a location: [sku, quantity] at 1.00 each. */
export async function givenStockAt(db: Db, actor: Actor, location: string, items: [string, string | number][]): Promise<void> {
  await postStockEvent(db, actor, { kind: 'opening_balance', occurredOn: TODAY, lines: items.map(([sku, qty]) => line(sku, location, qty, '1.00')) });
}

/** Stock bought after jobs were released: it stays free (nothing reallocates it). */
export async function givenReceipt(db: Db, actor: Actor, items: [string, string | number][]): Promise<void> {
  await postStockEvent(db, actor, { kind: 'receipt', occurredOn: TODAY, lines: items.map(([sku, qty]) => line(sku, 'MAIN', qty, '1.00')) });
}

export async function givenPo(db: Db, actor: Actor, number: string, expectedDate: string | null, lines: [string, string | number][], status: 'open' | 'draft' = 'open') {
  return (await createPurchaseOrder(db, actor, { number, supplier: 'Parts Co', expectedDate, status, location: 'MAIN', lines: lines.map(([part, q]) => ({ part, quantity: dec(q), unitPrice: dec('1.00') })) })).body;
}

/** The child job for the job's line of `sku` (made and released at once). */
export async function childFor(db: Db, actor: Actor, jobNumber: string, sku: string) {
  const parent = await jobView(db, actor.tenantId, jobNumber);
  const lineId = parent.lines.find((l) => l.part === sku)!.id;
  return (await makeChildJob(db, actor, parent.id, lineId)).body;
}

/**
 * A pump line with two levels of serials and a lot: a ROTOR-ASSY (made, serial) takes a serial
 * MOTOR and 2 lot-tracked SEALs at step 1; a PUMP (made, serial) takes a FRAME and 4 SCREWs at
 * step 1 and a ROTOR-ASSY at step 2. SEALs come in lots L-100 (2, taken first) and L-200 (10).
 */
export async function givenPumpLine(db: Db, actor: Actor): Promise<void> {
  await givenPart(db, actor, 'FRAME');
  await givenPart(db, actor, 'SCREW');
  await givenPart(db, actor, 'MOTOR', { tracking: 'serial' });
  await givenPart(db, actor, 'SEAL', { tracking: 'lot' });
  await givenPart(db, actor, 'ROTOR-ASSY', { source: 'made', tracking: 'serial' });
  await givenPart(db, actor, 'PUMP', { source: 'made', tracking: 'serial' });
  await postStockEvent(db, actor, {
    kind: 'opening_balance', occurredOn: TODAY,
    lines: [line('FRAME', 'MAIN', 10, '5.00'), line('SCREW', 'MAIN', 100, '0.10'), line('MOTOR', 'MAIN', 3, '50.00', { serials: ['M1', 'M2', 'M3'] }),
      line('SEAL', 'MAIN', 2, '1.00', { lot: 'L-100' }), line('SEAL', 'MAIN', 10, '1.20', { lot: 'L-200' })],
  });
  await givenBom(db, actor, [['ROTOR-ASSY', 'MOTOR', 1, 1], ['ROTOR-ASSY', 'SEAL', 2, 1], ['PUMP', 'FRAME', 1, 1], ['PUMP', 'SCREW', 4, 1], ['PUMP', 'ROTOR-ASSY', 1, 2]]);
}

/** A second user of the organisation (operations), as an actor: who did a step. */
export async function givenAssembler(db: Db, actor: Actor, email: string): Promise<Actor> {
  const [row] = await db('users').insert({ tenant_id: actor.tenantId, email, name: 'Sam Assembler', role: 'operations', password_hash: 'not-used' }).returning('id');
  return { tenantId: actor.tenantId, userId: row.id, role: 'operations' };
}

/**
 * The pump built: job for 1 PUMP released, its ROTOR-ASSY made by a child job (step 1 by the
 * assembler: MOTOR M1 and SEAL lot L-100; completed as R-1), then the pump's steps and its
 * completion as P-1. Returns the two jobs' numbers.
 */
export async function givenPumpBuilt(db: Db, actor: Actor, assembler: Actor): Promise<{ pump: string; rotor: string }> {
  const pump = (await createJob(db, actor, { part: 'PUMP', quantity: dec(1), dueOn: '2026-12-10', customer: 'Hydro Ltd', release: true })).body;
  const rotor = await childFor(db, actor, pump.number, 'ROTOR-ASSY');
  await completeStep(db, assembler, rotor.id, { step: 1, quantity: dec(1), occurredOn: TODAY });
  await completeJob(db, actor, rotor.id, { serials: ['R-1'], occurredOn: TODAY });
  await completeStep(db, assembler, pump.id, { step: 1, quantity: dec(1), occurredOn: TODAY });
  await completeStep(db, assembler, pump.id, { step: 2, quantity: dec(1), occurredOn: TODAY });
  await completeJob(db, actor, pump.id, { serials: ['P-1'], occurredOn: TODAY });
  return { pump: pump.number, rotor: rotor.number };
}

export async function givenDispatched(db: Db, actor: Actor, customer: string, sku: string, serials: string[]) {
  return (await dispatchGoods(db, actor, { customer, occurredOn: TODAY, lines: [{ part: sku, quantity: dec(serials.length), serials }] })).body!;
}
