import { Db, Trx } from '../../db';
import { Decimal, ZERO, str } from '../../domain/decimal';
import { completionSplit, consumptionDue, splitEvenly } from '../../domain/jobs';
import { moneyPlaces } from '../../repos/tenants';
import { Invalid, FieldProblem } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { writeEvent } from '../stock/post-event';
import { Actor, EventView, Leg } from '../stock/types';
import { lockJob, JobRow } from './job-rows';
import { allocateJob, isOpen } from './release';
import { freeAllOf } from './allocation';
import { recordUse, usesFor, amountOn } from './record-use';
import { assertWorkable, assertUnits, context, JobContext } from './complete-step';
import { CompleteJobInput } from './types';
import { jobView } from './views';

/**
 * Complete the job: whatever the units made still call for is consumed (first event), then the
 * finished goods are received at the job's cost and units scrapped at completion take their share
 * to abnormal loss (second event: Dr Finished goods, Dr Scrap, Cr WIP). Allocation left over goes
 * back to available; a child job's output is allocated to its parent's line at once.
 */
export async function completeJob(db: Db, actor: Actor, jobId: string, input: CompleteJobInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async () => {
    const first = await lockJob(trx, actor.tenantId, jobId);
    // The parent is locked before any part, in the order every command on it uses.
    const parent = first.parentJobId ? await lockJob(trx, actor.tenantId, first.parentJobId) : null;
    assertWorkable(first);
    const ctx = await context(trx, actor, first);
    const part = ctx.parts.get(first.partId)!;
    const remaining = first.quantity.minus(first.completedQty).minus(first.scrappedQty);
    const good = input.quantity ?? remaining;
    const lost = input.scrappedUnits ?? ZERO;
    const done = `Job ${first.number} has ${first.completedQty.plus(first.scrappedQty).toFixed()} of ${first.quantity.toFixed()} done`;
    assertUnits(first, part, good, first.completedQty.plus(first.scrappedQty).plus(good).plus(lost), done);
    assertUnits(first, part, lost, first.completedQty.plus(first.scrappedQty).plus(good).plus(lost), done, 'scrapped_units');
    if (!good.plus(lost).gt(0)) throw Invalid.field('quantity', `Give the units of ${part.sku} made (or scrapped)`);
    const output = outputs(first, ctx, good, input);

    const units = first.completedQty.plus(first.scrappedQty).plus(good).plus(lost);
    const uses = usesFor(ctx.lines, ctx.parts, (l) => consumptionDue(units, l, ctx.parts.get(l.partId)!.fractional), input.lines, 'lines');
    const used = await recordUse(trx, actor, first, ctx.location, ctx.parts, uses, { occurredOn: input.occurredOn, step: null, units: good.plus(lost), labourMinutes: input.labourMinutes ?? ZERO });
    const job = await lockJob(trx, actor.tenantId, first.id);
    // The last units, or the assembler says the job is finished short: WIP empties, allocation is freed.
    const final = units.gte(first.quantity) || input.finish === true;
    const completion = await receiveFinished(trx, actor, job, ctx, { good, lost, final }, output, input.occurredOn);
    if (final) await freeAllOf(trx, actor.tenantId, first.id);
    if (parent && isOpen(parent)) await allocateJob(trx, actor.tenantId, parent);
    return { job: await jobView(trx, actor.tenantId, job.id), consumption: used.consumption, scrap: used.scrap, completion };
  }));
}

type Output = { serials: string[]; lot: string };

function outputs(job: JobRow, ctx: JobContext, good: Decimal, input: CompleteJobInput): Output {
  const part = ctx.parts.get(job.partId)!;
  const problems: FieldProblem[] = [];
  const serials = (input.serials ?? []).map((s) => s.trim()).filter(Boolean);
  if (part.tracking === 'serial') {
    if (serials.length !== good.toNumber()) problems.push({ field: 'serials', message: `Give one serial for each of the ${good.toFixed()} ${part.sku} made (${serials.length} given)` });
    const dup = serials.find((s, i) => serials.indexOf(s) !== i);
    if (dup) problems.push({ field: 'serials', message: `Serial ${dup} is given twice` });
  } else if (serials.length) problems.push({ field: 'serials', message: `${part.sku} is not serial-tracked` });
  if (problems.length) throw new Invalid(problems);
  return { serials, lot: part.tracking === 'lot' ? (input.lot?.trim() || job.number) : '' };
}

async function receiveFinished(trx: Trx, actor: Actor, job: JobRow, ctx: JobContext, units: { good: Decimal; lost: Decimal; final: boolean }, out: Output, occurredOn: string): Promise<EventView> {
  const { good, lost, final } = units;
  const dp = await moneyPlaces(trx, actor.tenantId);
  // Only the final completion empties WIP. An earlier one takes its units' share of the units
  // work has started on: steps done ahead for more units keep theirs in WIP.
  const before = job.completedQty.plus(job.scrappedQty);
  const steps = await trx('job_steps').where({ tenant_id: actor.tenantId, job_id: job.id }).max({ done: 'completed_qty' }).first();
  const started = Decimal.max(new Decimal(steps?.done ?? 0), before.plus(good).plus(lost)).minus(before);
  const share = final ? job.wipValue : job.wipValue.mul(good.plus(lost)).div(started).toDecimalPlaces(dp);
  const { finished, scrap } = completionSplit(share, good, lost, dp);
  const part = ctx.parts.get(job.partId)!;
  const base = { field: 'quantity', part, location: ctx.location, lot: out.lot };
  const legs: Leg[] = !good.gt(0) ? [] : out.serials.length
    ? splitEvenly(finished, out.serials.length, dp).map((value, i) => ({ ...base, field: `serials.${i}`, dir: 'in', serial: out.serials[i], qty: new Decimal(1), cost: { kind: 'pieces', pieces: [{ qty: new Decimal(1), value }] } }))
    : [{ ...base, dir: 'in', serial: null, qty: good, cost: { kind: 'pieces', pieces: [{ qty: good, value: finished }] } }];
  const otherPostings = legs.length ? [{ role: 'scrap' as const, amount: scrap }] : [{ role: 'scrap' as const, amount: scrap }, { role: 'wip' as const, amount: scrap.neg() }];
  const event = await writeEvent(trx, actor, { kind: 'job_completion', occurredOn, reference: job.number, reason: 'completed', contra: 'wip', reversesEventId: null, otherPostings: otherPostings.filter((p) => !p.amount.isZero()) }, legs);
  const wipOut = amountOn(event.journal, 'wip').neg();
  const fg = amountOn(event.journal, part.stockRole);
  await trx('job_events').insert({ tenant_id: actor.tenantId, job_id: job.id, event_id: event.id, kind: 'completion', quantity: str(good), user_id: actor.userId ?? null });
  const rows = out.serials.length
    ? out.serials.map((serial) => ({ tenant_id: actor.tenantId, job_id: job.id, event_id: event.id, part_id: part.id, serial, lot: out.lot, quantity: '1' }))
    : good.gt(0) ? [{ tenant_id: actor.tenantId, job_id: job.id, event_id: event.id, part_id: part.id, serial: null, lot: out.lot, quantity: str(good) }] : [];
  if (rows.length) await trx('job_outputs').insert(rows);
  // Units completed have been through every step.
  await trx('job_steps').where({ tenant_id: actor.tenantId, job_id: job.id }).update({ completed_qty: trx.raw('greatest(completed_qty, ?)', [str(before.plus(good).plus(lost))]) });
  await trx('job_cards').where({ tenant_id: actor.tenantId, id: job.id }).update({
    completed_qty: str(job.completedQty.plus(good)),
    scrapped_qty: str(job.scrappedQty.plus(lost)),
    finished_value: str(job.finishedValue.plus(fg)),
    scrap_cost: str(job.scrapCost.plus(scrap)),
    wip_value: str(job.wipValue.minus(wipOut)),
    status: final ? 'completed' : 'in_progress',
    completed_at: final ? trx.fn.now() : null,
  });
  return event;
}
