import { Db } from '../../db';
import { Decimal, ZERO } from '../../domain/decimal';
import { isUuid } from '../../domain/ids';
import { Conflict, NotFound, Invalid } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { Actor } from '../stock/types';
import { lockJob, jobLines } from './job-rows';
import { insertJob } from './create-job';
import { releaseInTransaction, isOpen, label } from './release';
import { outstanding } from './allocation';
import { jobView } from './views';

/**
 * A short sub-assembly becomes a child job card in one action: for what the line still lacks
 * (less what open child jobs already make), due with its parent, released at once. Its output
 * is allocated to this line when it completes.
 */
export async function makeChildJob(db: Db, actor: Actor, jobId: string, lineId: string, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async () => {
    const parent = await lockJob(trx, actor.tenantId, jobId);
    if (!isOpen(parent) && parent.status !== 'draft') throw new Conflict(`Job ${parent.number} is ${label(parent)}`);
    const line = isUuid(lineId) ? (await jobLines(trx, actor.tenantId, parent.id)).find((l) => l.id === lineId) : undefined;
    if (!line) throw new NotFound('Job line', lineId, 'line');
    const part = await trx('parts').where({ tenant_id: actor.tenantId, id: line.partId }).first();
    const open = await trx('job_cards').where({ tenant_id: actor.tenantId, parent_line_id: line.id }).whereNotIn('status', ['completed', 'closed', 'cancelled'])
      .select(trx.raw('coalesce(sum(quantity - completed_qty - scrapped_qty), 0)::text as qty')).first();
    const short = outstanding(line).minus(new Decimal(open?.qty ?? 0));
    if (!short.gt(ZERO)) throw new Conflict(`${part.sku} on job ${parent.number} is not short${new Decimal(open?.qty ?? 0).gt(0) ? ': child jobs already make what it lacks' : ''}`, 'line');
    const quantity = part.fractional && part.tracking !== 'serial' ? short : short.ceil();
    const location = await trx('locations').where({ tenant_id: actor.tenantId, id: parent.locationId }).first('code');
    const hasBom = await trx('bom_lines').where({ tenant_id: actor.tenantId, parent_part_id: part.id }).first('id');
    if (!hasBom) throw Invalid.field('line', `${part.sku} has no bill of materials: it is bought, so order it rather than make it`);
    const id = await insertJob(trx, actor, { part: part.sku, quantity, location: location.code, customer: parent.customer, dueOn: parent.dueOn, priority: parent.priority }, { jobId: parent.id, lineId: line.id, topJobId: parent.topJobId });
    await releaseInTransaction(trx, actor, id);
    return jobView(trx, actor.tenantId, id);
  }));
}
