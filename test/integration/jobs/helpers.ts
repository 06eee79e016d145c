// Shared by the job-card tests (not a test file itself).
import { Db } from '../../../server/db';
import { dec } from '../../../server/domain/decimal';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { Actor } from '../../../server/services/stock/types';
import { createJob } from '../../../server/services/jobs/create-job';
import { CreateJobInput } from '../../../server/services/jobs/types';
import { givenPart } from '../../support/builders';
import { line, ledgerSnapshot } from '../../support/ledger-checks';

export const TODAY = '2026-11-25';

/** Bought stock at MAIN: [sku, quantity, unit cost, serials?]. */
export async function givenStock(db: Db, actor: Actor, items: [string, string | number, string | number, string[]?][]): Promise<void> {
  await postStockEvent(db, actor, { kind: 'opening_balance', occurredOn: TODAY, lines: items.map(([sku, qty, cost, serials]) => line(sku, 'MAIN', qty, cost, serials ? { serials } : {})) });
}

/** BOM lines straight into the table: [parent, component, qty per, step, attrition %]. */
export async function givenBom(db: Db, actor: Actor, rows: [string, string, string | number, number | null, (string | number)?][]): Promise<void> {
  const parts = await db('parts').where({ tenant_id: actor.tenantId }).select('id', 'sku');
  const id = (sku: string) => parts.find((p) => p.sku === sku)!.id;
  await db('bom_lines').insert(rows.map(([parent, component, qty, step, attrition], i) => ({
    tenant_id: actor.tenantId, parent_part_id: id(parent), component_part_id: id(component), position: i + 1, qty_per: String(qty), step, attrition_pct: String(attrition ?? 0),
  })));
}

/**
 * A pump (serial-tracked, made): step 1 fits a frame and 4 screws (10% attrition), step 2 a
 * serial-tracked motor. Stock: 10 frames at 5.00, 100 screws at 0.10, 3 motors at 50.00.
 */
export async function givenPumpWorks(db: Db, actor: Actor): Promise<void> {
  await givenPart(db, actor, 'FRAME');
  await givenPart(db, actor, 'SCREW');
  await givenPart(db, actor, 'MOTOR', { tracking: 'serial' });
  await givenPart(db, actor, 'PUMP', { source: 'made', tracking: 'serial' });
  await givenStock(db, actor, [['FRAME', 10, '5.00'], ['SCREW', 100, '0.10'], ['MOTOR', 3, '50.00', ['M1', 'M2', 'M3']]]);
  await givenBom(db, actor, [['PUMP', 'FRAME', 1, 1], ['PUMP', 'SCREW', 4, 1, 10], ['PUMP', 'MOTOR', 1, 2]]);
}

export async function givenJob(db: Db, actor: Actor, part: string, quantity: string | number, extra: Partial<CreateJobInput> = {}) {
  return (await createJob(db, actor, { part, quantity: dec(quantity), dueOn: '2026-12-10', ...extra })).body;
}

/** Available (on hand less allocated) of a part across locations. */
export async function available(db: Db, actor: Actor, sku: string): Promise<string> {
  const row = await db('stock_balances as b').join('parts as p', (j) => j.on('p.id', 'b.part_id').andOn('p.tenant_id', 'b.tenant_id'))
    .where({ 'b.tenant_id': actor.tenantId, 'p.sku': sku }).select(db.raw('coalesce(sum(b.on_hand - b.allocated), 0)::text as v')).first();
  return dec(row?.v ?? 0).toFixed();
}

/** stock_balances.allocated equals the sum of the job allocations on every stock key. */
export async function expectAllocationsConsistent(db: Db, actor: Actor): Promise<void> {
  const { rows } = await db.raw(
    `select b.part_id, b.lot, b.allocated::text as balance, coalesce(a.total, 0)::text as rows
       from stock_balances b left join (select part_id, location_id, lot, sum(quantity) as total from job_allocations where tenant_id = ? group by 1, 2, 3) a
         on a.part_id = b.part_id and a.location_id = b.location_id and a.lot = b.lot
      where b.tenant_id = ? and b.allocated <> coalesce(a.total, 0)`,
    [actor.tenantId, actor.tenantId],
  );
  expect(rows).toEqual([]);
}

const JOB_TABLES = ['job_cards', 'job_steps', 'job_lines', 'job_allocations', 'job_events', 'job_outputs', 'dispatches', 'dispatch_lines'];

/** The ledger and every job document, row for row: equal snapshots mean nothing changed. */
export async function jobsAndLedger(db: Db, actor: Actor): Promise<Record<string, unknown[]>> {
  const out = await ledgerSnapshot(db, actor);
  for (const table of JOB_TABLES) out[table] = (await db(table).where({ tenant_id: actor.tenantId })).map((r) => JSON.stringify(r)).sort();
  return out;
}

/** Runs a job command that must be refused, proves nothing changed, and returns the error. */
export async function refusedCleanly(db: Db, actor: Actor, run: () => Promise<unknown>): Promise<any> {
  const before = await jobsAndLedger(db, actor);
  const err = await run().then(() => null, (e) => e);
  expect(err).not.toBeNull();
  expect(await jobsAndLedger(db, actor)).toEqual(before);
  return err;
}

/** The field problems of a refusal as [field, message] pairs. */
export const problemsOf = (err: any): [string, string][] => (err.fields?.length ? err.fields : [{ field: null, message: err.message }]).map((f: any) => [f.field, f.message]);
