import { Router, Response } from 'express';
import { Db, Trx } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { optionalText } from '../../http/schemas';
import { parseJobQuery, parseCreateJob, parseCompleteStep, parseCompleteJob, parseDispatch, stepParam } from '../../http/job-input';
import { today } from '../../clock';
import { Invalid, NotFound } from '../../errors';
import { inTransaction } from '../../services/transaction';
import { IdempotencyClaim, withIdempotency } from '../../services/idempotency';
import { Actor } from '../../services/stock/types';
import { createJob } from '../../services/jobs/create-job';
import { releaseJob, reallocateJob, cancelJob } from '../../services/jobs/release';
import { completeStep } from '../../services/jobs/complete-step';
import { completeJob } from '../../services/jobs/complete-job';
import { makeChildJob } from '../../services/jobs/child-job';
import { jobView, listJobs } from '../../services/jobs/views';
import { dispatchGoods, dispatchView } from '../../services/dispatch/dispatch';
import { listDispatches } from '../../services/dispatch/list';
import { idempotencyClaim } from './stock';
import { z } from 'zod';

function sendResult(res: Response, result: { status: number; body: unknown; replayed: boolean }) {
  res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
}

/**
 * Allocate-again and cancel take no key of their own: run them inside a transaction that holds
 * the key (a savepoint for theirs), so a retried request replays the first answer as every
 * other job POST does.
 */
function idempotently<T>(db: Db, actor: Actor, claim: IdempotencyClaim | undefined, work: (trx: Trx) => Promise<T>) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, claim, () => work(trx)));
}

const step = (raw: unknown): number => {
  const p = stepParam.safeParse(raw);
  if (!p.success) throw Invalid.field('step', `${String(raw).slice(0, 20)} is not a step number (like 10)`);
  return p.data;
};
const dispatchQuery = z.object({ q: optionalText(100) });

/** Job cards (create, release, work steps, complete, child jobs) and dispatches to customers. */
export function jobsApi(db: Db): Router {
  const r = Router();
  const makers = requireRole('admin', 'operations');
  const jobId = (raw: unknown) => String(raw ?? '');

  r.get('/jobs', async (req, res) => {
    res.json({ jobs: await listJobs(db, actorOf(req).tenantId, parseJobQuery(req.query)) });
  });
  r.post('/jobs', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await createJob(db, actorOf(req), parseCreateJob(req.body), claim));
  });
  r.get('/jobs/:id', async (req, res) => {
    res.json(await jobView(db, actorOf(req).tenantId, jobId(req.params.id)));
  });
  r.post('/jobs/:id/release', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await releaseJob(db, actorOf(req), jobId(req.params.id), claim));
  });
  r.post('/jobs/:id/allocate', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await idempotently(db, actorOf(req), claim, (trx) => reallocateJob(trx, actorOf(req), jobId(req.params.id))));
  });
  r.post('/jobs/:id/cancel', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await idempotently(db, actorOf(req), claim, (trx) => cancelJob(trx, actorOf(req), jobId(req.params.id))));
  });
  r.post('/jobs/:id/steps/:step/complete', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    const input = parseCompleteStep(step(req.params.step), req.body ?? {}, today());
    sendResult(res, await completeStep(db, actorOf(req), jobId(req.params.id), input, claim));
  });
  r.post('/jobs/:id/complete', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await completeJob(db, actorOf(req), jobId(req.params.id), parseCompleteJob(req.body ?? {}, today()), claim));
  });
  r.post('/jobs/:id/lines/:lineId/child-job', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await makeChildJob(db, actorOf(req), jobId(req.params.id), String(req.params.lineId), claim));
  });
  r.get('/dispatches', async (req, res) => {
    res.json({ dispatches: await listDispatches(db, actorOf(req).tenantId, dispatchQuery.parse(req.query)) });
  });
  r.post('/dispatches', makers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await dispatchGoods(db, actorOf(req), parseDispatch(req.body, today()), claim));
  });
  r.get('/dispatches/:number', async (req, res) => {
    const found = await dispatchView(db, actorOf(req).tenantId, String(req.params.number));
    if (!found) throw new NotFound('Dispatch', String(req.params.number));
    res.json(found);
  });
  return r;
}
