import { Db, Trx } from '../../db';
import * as ledger from '../../repos/ledger';
import { partsById } from '../../repos/catalogue';
import { Conflict } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { Actor } from '../stock/types';
import { lockJob, jobLines, JobRow } from './job-rows';
import { allocateLines, freeAllOf } from './allocation';
import { jobView, JobView } from './views';

/** Release a draft job: its components are committed to it at once (what cannot be is its shortage). */
export async function releaseJob(db: Db, actor: Actor, jobId: string, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async (): Promise<JobView> => {
    await releaseInTransaction(trx, actor, jobId);
    return jobView(trx, actor.tenantId, jobId);
  }));
}

export async function releaseInTransaction(trx: Trx, actor: Actor, jobId: string): Promise<void> {
  const job = await lockJob(trx, actor.tenantId, jobId);
  if (job.status !== 'draft') throw new Conflict(`Job ${job.number} is ${label(job)}; only a draft job is released`);
  await trx('job_cards').where({ tenant_id: actor.tenantId, id: job.id }).update({ status: 'released', released_at: trx.fn.now() });
  await allocateJob(trx, actor.tenantId, job);
}

/** Allocate again what an open job still lacks (stock has arrived since it was released). */
export async function reallocateJob(db: Db, actor: Actor, jobId: string) {
  return inTransaction(db, async (trx) => {
    const job = await lockJob(trx, actor.tenantId, jobId);
    if (!isOpen(job)) throw new Conflict(`Job ${job.number} is ${label(job)}; only a released or in-progress job takes allocations`);
    await allocateJob(trx, actor.tenantId, job);
    return jobView(trx, actor.tenantId, job.id);
  });
}

/** Cancel a job nothing has been consumed for yet: its allocations go back to available. */
export async function cancelJob(db: Db, actor: Actor, jobId: string) {
  return inTransaction(db, async (trx) => {
    const job = await lockJob(trx, actor.tenantId, jobId);
    if (!['draft', 'released'].includes(job.status)) {
      throw new Conflict(`Job ${job.number} is ${label(job)}: components have been consumed into it, so complete it (recording what was scrapped) instead`);
    }
    const lines = await jobLines(trx, actor.tenantId, job.id);
    await ledger.lockParts(trx, actor.tenantId, lines.map((l) => l.partId));
    await freeAllOf(trx, actor.tenantId, job.id);
    await trx('job_cards').where({ tenant_id: actor.tenantId, id: job.id }).update({ status: 'cancelled' });
    return jobView(trx, actor.tenantId, job.id);
  });
}

/** Under the part locks every stock event takes, so two releases for one scarce part queue. */
export async function allocateJob(trx: Trx, tenantId: string, job: JobRow): Promise<void> {
  const lines = await jobLines(trx, tenantId, job.id);
  if (!lines.length) return;
  await ledger.lockParts(trx, tenantId, lines.map((l) => l.partId));
  const parts = await partsById(trx, tenantId, lines.map((l) => l.partId));
  await allocateLines(trx, tenantId, job, lines, parts);
}

export const isOpen = (job: JobRow) => job.status === 'released' || job.status === 'in_progress';
export const label = (job: JobRow) => job.status.replace('_', ' ');

