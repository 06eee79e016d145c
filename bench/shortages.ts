/**
 * The shortage cascade over 50 open jobs (aim: under 150 ms).
 *
 *   npx tsx bench/shortages.ts        # PostgreSQL when DATABASE_URL is set (a throw-away database), else in-memory PGlite
 *   npm run bench -- shortages        # as a phase of bench/run.ts, on its PostgreSQL scratch database
 *
 * Seeded through the services: 5 products, each a 3-level BOM (3 sub-assemblies of 3 sub-assemblies
 * of bought parts, 13 assemblies and ~60 lines a product) over a pool of 200 bought parts; stock
 * for most bought parts, a few level-2 sub-assemblies on the shelf; 30 top-level jobs released
 * (the later ones find stock already allocated) and a child job for the first sub-assembly of 20
 * of them (50 open jobs); 3 open POs. Then shortageCascade, timed.
 */
// The demo's seeded generator (mulberry32), so every run builds the same data.
import { prng } from '../server/services/demo/plan';
import crypto from 'node:crypto';
import { Db, createDb, isPglite } from '../server/db';
import { Decimal } from '../server/domain/decimal';
import { loadConfig } from '../server/config';
import { createOrganisation } from '../server/services/auth/accounts';
import { createPart } from '../server/services/catalogue';
import { postStockEvent } from '../server/services/stock/post-event';
import { createPurchaseOrder } from '../server/services/purchasing/create-po';
import { createJob } from '../server/services/jobs/create-job';
import { makeChildJob } from '../server/services/jobs/child-job';
import { shortageCascade } from '../server/services/planning/shortages';
import { Actor } from '../server/services/stock/types';
import { scratchDatabase, median, spread, fmt, QueryCounter } from './support';

const PRODUCTS = 5;
const BOUGHT = 200;
const TOP_JOBS = 30;
const CHILD_JOBS = 20;
const WARMUP = 5;
const RUNS = 30;


async function seed(db: Db, log: (s?: string) => void): Promise<Actor> {
  const rnd = prng(7);
  const tag = crypto.randomBytes(3).toString('hex');
  const user = await createOrganisation(db, { organisation: `Bench shortages ${tag}`, name: 'Bench Admin', email: `bench-short-${tag}@example.com`, password: 'bench password bench password' });
  const actor: Actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  const bought = Array.from({ length: BOUGHT }, (_, i) => `B-${String(i).padStart(3, '0')}`);
  const bom: [string, string, number][] = [];
  const assemblies: string[] = [];
  const level2: string[] = [];
  const pick = () => bought[Math.floor(rnd() * bought.length)];
  for (let p = 1; p <= PRODUCTS; p++) {
    const product = `P${p}`;
    assemblies.push(product);
    for (let i = 1; i <= 3; i++) {
      const s1 = `S${p}-${i}`;
      assemblies.push(s1);
      bom.push([product, s1, 1]);
      for (let j = 1; j <= 3; j++) {
        const s2 = `S${p}-${i}-${j}`;
        assemblies.push(s2);
        level2.push(s2);
        bom.push([s1, s2, 1 + (j % 2)]);
        for (let k = 0; k < 4; k++) bom.push([s2, pick(), 1 + Math.floor(rnd() * 4)]);
      }
    }
  }
  for (const a of assemblies) for (let k = 0; k < 2; k++) bom.push([a, pick(), 2 + Math.floor(rnd() * 6)]);
  const skus = [...bought, ...assemblies];
  for (let i = 0; i < skus.length; i += 8) {
    await Promise.all(skus.slice(i, i + 8).map((sku) => createPart(db, actor.tenantId, { sku, name: `Bench ${sku}`, source: sku.startsWith('B-') ? 'bought' : 'made' })));
  }
  const ids = new Map((await db('parts').where({ tenant_id: actor.tenantId }).select('id', 'sku')).map((r) => [r.sku as string, r.id as string]));
  // Duplicate (parent, component) pairs from the random picks are merged into one line.
  const merged = new Map<string, [string, string, number]>();
  for (const [parent, component, qty] of bom) {
    const k = `${parent}|${component}`;
    merged.set(k, [parent, component, (merged.get(k)?.[2] ?? 0) + qty]);
  }
  await db.batchInsert('bom_lines', [...merged.values()].map(([parent, component, qty], i) => ({
    tenant_id: actor.tenantId, parent_part_id: ids.get(parent), component_part_id: ids.get(component), position: i + 1, qty_per: String(qty), step: 1,
  })), 500);
  await postStockEvent(db, actor, {
    kind: 'opening_balance', occurredOn: '2026-01-01', reference: 'bench opening',
    lines: [
      ...bought.filter(() => rnd() > 0.15).map((part) => ({ part, location: 'MAIN', quantity: new Decimal(5 + Math.floor(rnd() * 120)), unitCost: new Decimal('2.00') })),
      ...level2.filter((_, i) => i % 7 === 0).map((part) => ({ part, location: 'MAIN', quantity: new Decimal(2), unitCost: new Decimal('20.00') })),
    ],
  });
  const jobs: { id: string; line: string }[] = [];
  for (let n = 0; n < TOP_JOBS; n++) {
    const day = String(1 + (n % 28)).padStart(2, '0');
    const job = (await createJob(db, actor, { part: `P${1 + (n % PRODUCTS)}`, quantity: new Decimal(2 + (n % 5)), dueOn: `2026-12-${day}`, priority: 1 + (n % 5), release: true })).body;
    jobs.push({ id: job.id, line: job.lines[0].id });
  }
  for (const j of jobs.slice(0, CHILD_JOBS)) await makeChildJob(db, actor, j.id, j.line);
  for (let p = 0; p < 3; p++) {
    await createPurchaseOrder(db, actor, {
      supplier: `Bench Supplier ${p}`, location: 'MAIN', expectedDate: `2026-12-${String(5 + p * 7).padStart(2, '0')}`,
      lines: bought.filter((_, i) => i % 5 === p).slice(0, 40).map((part) => ({ part, quantity: new Decimal(50 + p * 25), unitPrice: new Decimal('2.00') })),
    });
  }
  const open = await db('job_cards').where({ tenant_id: actor.tenantId }).whereIn('status', ['released', 'in_progress']).count<{ n: number }[]>({ n: '*' }).first();
  log(`  seeded ${skus.length} parts (${assemblies.length} assemblies), ${merged.size} BOM lines, ${open?.n} open jobs (${TOP_JOBS} top-level, ${CHILD_JOBS} child), 3 open POs`);
  return actor;
}

/** Seeds its own organisation on `db`, times the cascade, and returns the summary line. */
export async function shortagesPhase(db: Db, log: (s?: string) => void = console.log): Promise<string[]> {
  const where = isPglite(db) ? 'PGlite (in-memory)' : 'PostgreSQL';
  log(`\n[shortages] The shortage cascade over ${TOP_JOBS + CHILD_JOBS} open jobs on ${where}`);
  let s = performance.now();
  const actor = await seed(db, log);
  log(`  seeding took ${fmt((performance.now() - s) / 1000, 1)} s`);
  if (!isPglite(db)) await db.raw('analyze');
  let report = await shortageCascade(db, actor.tenantId);
  for (let i = 1; i < WARMUP; i++) report = await shortageCascade(db, actor.tenantId);
  const queries = new QueryCounter(db);
  queries.start();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    s = performance.now();
    report = await shortageCascade(db, actor.tenantId);
    times.push(performance.now() - s);
  }
  queries.stop();
  queries.detach();
  const statements = queries.total;
  const sqlMs = [...queries.byShape.values()].reduce((a, e) => a + e.ms, 0) / RUNS;
  const t = spread(times);
  const blocks = report.parts.reduce((n, p) => n + p.blocks.length, 0);
  log(`  result: ${report.open_jobs} open jobs, ${report.parts.length} short parts blocking ${blocks} job/part pairs, ${report.top_jobs.length} top-level jobs held up, ${report.to_make.length} sub-assemblies to make, ${report.parts.filter((p) => p.covered_by).length} shortages covered by a PO`);
  log(`  ${RUNS} runs: median ${fmt(median(times), 1)} ms, p95 ${fmt(t.p95, 1)} ms, max ${fmt(t.max, 1)} ms; ${fmt(statements / RUNS, 0)} SQL statements a run, waiting ${fmt(sqlMs, 1)} ms on SQL (mean; two of them overlap), the rest netting in Node   (aim: under 150 ms)`);
  for (const [shape, e] of queries.top(6)) log(`    ${fmt(e.ms / RUNS, 1).padStart(6)} ms  ${shape}`);
  return [`shortages: cascade over ${report.open_jobs} open jobs on ${where}: median ${fmt(median(times), 1)} ms, p95 ${fmt(t.p95, 1)} ms (${fmt(statements / RUNS, 0)} statements, ${report.parts.length} short parts)   aim < 150 ms`];
}

async function main() {
  const { databaseUrl } = loadConfig();
  if (databaseUrl) {
    const scratch = await scratchDatabase(databaseUrl, 4);
    try {
      await scratch.db.migrate.latest();
      await shortagesPhase(scratch.db);
    } finally {
      await scratch.drop();
    }
    return;
  }
  const db = createDb({ inMemory: true });
  try {
    await db.migrate.latest();
    await shortagesPhase(db);
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  main().then(() => process.exit(0), (err) => {
    console.error(err);
    process.exit(1);
  });
}
