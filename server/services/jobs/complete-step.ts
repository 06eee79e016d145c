import { Db, Trx } from '../../db';
import { Decimal, ZERO, str } from '../../domain/decimal';
import { consumptionDue } from '../../domain/jobs';
import * as ledger from '../../repos/ledger';
import { partsById, locationsById, Part, Location } from '../../repos/catalogue';
import { Conflict, Invalid } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { Actor } from '../stock/types';
import { lockJob, jobLines, JobRow, JobLineRow } from './job-rows';
import { allocateJob, isOpen, label } from './release';
import { recordUse } from './record-use';
import { usesFor } from './record-use';
import { CompleteStepInput } from './types';
import { jobView } from './views';

/**
 * An assembler completes a step for some units: the step's lines are consumed for them (as the
 * BOM says, or as reported: more, less, scrapped, which serials and lots), labour is added, and
 * the job's allocation follows what is still needed.
 */
export async function completeStep(db: Db, actor: Actor, jobId: string, input: CompleteStepInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async () => {
    const job = await lockJob(trx, actor.tenantId, jobId);
    assertWorkable(job);
    const step = await trx('job_steps').where({ tenant_id: actor.tenantId, job_id: job.id, step: input.step }).forUpdate().first();
    if (!step) throw Invalid.field('step', `Job ${job.number} has no step ${input.step}`);
    const done = new Decimal(step.completed_qty);
    const after = done.plus(input.quantity);
    const ctx = await context(trx, actor, job);
    if (!input.quantity.gt(0)) throw Invalid.field('quantity', `Quantity must be greater than zero (got ${input.quantity.toFixed()})`);
    assertUnits(job, ctx.parts.get(job.partId)!, input.quantity, after, `Step ${input.step} of ${job.number} has ${done.toFixed()} of ${job.quantity.toFixed()} done`);
    const lines = ctx.lines.filter((l) => l.step === input.step);
    const uses = usesFor(lines, ctx.parts, (l) => consumptionDue(after, l, ctx.parts.get(l.partId)!.fractional), input.lines, 'lines');
    const result = await recordUse(trx, actor, job, ctx.location, ctx.parts, uses, { occurredOn: input.occurredOn, step: input.step, units: input.quantity, labourMinutes: input.labourMinutes ?? ZERO });
    await trx('job_steps').where({ tenant_id: actor.tenantId, job_id: job.id, step: input.step }).update({
      completed_qty: str(after),
      labour_minutes: trx.raw('labour_minutes + ?', [str(input.labourMinutes ?? ZERO)]),
    });
    if (!result.consumption && !result.scrap) await trx('job_cards').where({ tenant_id: actor.tenantId, id: job.id }).update({ status: 'in_progress' });
    // A scrapped component still has to be replaced: allocate what the line lacks again.
    await allocateJob(trx, actor.tenantId, job);
    return { job: await jobView(trx, actor.tenantId, job.id), consumption: result.consumption, scrap: result.scrap };
  }));
}

export function assertWorkable(job: JobRow): void {
  if (job.status === 'draft') throw new Conflict(`Job ${job.number} is a draft: release it first, so its components are allocated`);
  if (!isOpen(job)) throw new Conflict(`Job ${job.number} is ${label(job)}`);
}

/** Units are positive, whole for assemblies made whole, and never more than the job is for. */
export function assertUnits(job: JobRow, part: Part, units: Decimal, after: Decimal, done: string, field = 'quantity'): void {
  if (!units.isFinite() || units.isNeg()) throw Invalid.field(field, `Quantity must be zero or more (got ${units.toFixed()})`);
  if ((!part.fractional || part.tracking === 'serial') && !units.isInteger()) throw Invalid.field(field, `${part.sku} is made in whole ${part.unit} (got ${units.toFixed()})`);
  if (after.gt(job.quantity)) throw Invalid.field(field, `${done}; ${units.toFixed()} more would make ${after.toFixed()}, more than the job's ${job.quantity.toFixed()}`);
}

export type JobContext = { lines: JobLineRow[]; parts: Map<string, Part>; location: Location };

/** The job's lines, their parts and the job's location, with every part the command may touch locked (the job's own part too). */
export async function context(trx: Trx, actor: Actor, job: JobRow): Promise<JobContext> {
  const lines = await jobLines(trx, actor.tenantId, job.id);
  await ledger.lockParts(trx, actor.tenantId, [...lines.map((l) => l.partId), job.partId]);
  const parts = await partsById(trx, actor.tenantId, [...lines.map((l) => l.partId), job.partId]);
  const location = (await locationsById(trx, actor.tenantId, [job.locationId])).get(job.locationId)!;
  return { lines, parts, location };
}
