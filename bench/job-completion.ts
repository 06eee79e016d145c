import { Db } from '../server/db';
import { Decimal } from '../server/domain/decimal';
import { createPart } from '../server/services/catalogue';
import { createJob } from '../server/services/jobs/create-job';
import { completeJob } from '../server/services/jobs/complete-job';
import { seedWorkload } from './seed';
import { QueryCounter, spread, fmt } from './support';

const LINES = 200;
const JOBS = 40;
const WARMUP = 5;

/**
 * Completing a job that consumes 200 component lines: each job (quantity 1, every line consumed
 * at completion) is released first, then completed one after another through completeJob —
 * the consumption event, the finished-goods receipt, their journals and the allocation release.
 */
export async function benchJobCompletion(db: Db, log: (s: string) => void): Promise<string> {
  log(`\n[jobs] Completing a job that consumes ${LINES} component lines (${JOBS} jobs, ${WARMUP} warm-up)`);
  const w = await seedWorkload(db, 'jobs', LINES, 1000);
  await createPart(db, w.actor.tenantId, { sku: 'BENCH-ASSY', name: 'Bench assembly', source: 'made' });
  const ids = await db('parts').where({ tenant_id: w.actor.tenantId }).whereIn('sku', ['BENCH-ASSY', ...w.skus]).select('id', 'sku');
  const id = (sku: string) => ids.find((p) => p.sku === sku)!.id;
  await db('bom_lines').insert(w.skus.map((sku, i) => ({ tenant_id: w.actor.tenantId, parent_part_id: id('BENCH-ASSY'), component_part_id: id(sku), position: i + 1, qty_per: '2', step: null })));
  const jobs: string[] = [];
  for (let i = 0; i < JOBS + WARMUP; i++) jobs.push((await createJob(db, w.actor, { part: 'BENCH-ASSY', quantity: new Decimal(1), dueOn: '2026-12-31', release: true })).body.id);
  const today = new Date().toISOString().slice(0, 10);
  const times: number[] = [];
  let statements = 0;
  const queries = new QueryCounter(db);
  queries.start();
  for (const [i, job] of jobs.entries()) {
    const before = queries.total;
    const s = performance.now();
    await completeJob(db, w.actor, job, { occurredOn: today });
    if (i >= WARMUP) {
      times.push(performance.now() - s);
      statements += queries.total - before;
    }
  }
  queries.detach();
  const r = spread(times);
  const top = [...queries.byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  for (const [shape, e] of top) log(`    ${fmt(e.n / (JOBS + WARMUP), 1)} x ${fmt(e.ms / (JOBS + WARMUP), 1)} ms  ${shape}`);
  log(`  completeJob: p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, max ${fmt(r.max)} ms; ${fmt(statements / times.length, 0)} SQL statements per completion`);
  return `jobs: complete a job consuming ${LINES} lines: p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms   aim p95 < 100 ms`;
}
