/**
 * Performance figures for Perpetua on PostgreSQL (no pass/fail: each figure is printed beside its aim).
 *
 *   npm run bench                       # postgres://postgres@127.0.0.1:5432/postgres
 *   DATABASE_URL=postgres://... npm run bench
 *   npm run bench -- goods-in           # only some phases: floor http service goods-in valuation
 *
 * A throw-away database perpetua_bench_<random> is created next to DATABASE_URL's, migrated, and
 * dropped at the end. Phases:
 *   0. Round-trip floor: transactions of 18 and of 6 trivial statements, 8 at a time, to show what
 *      the number of statements alone allows on this machine.
 *   1. HTTP: the real app on 127.0.0.1:<random>, 8 keep-alive clients alternately POSTing one-line
 *      issues and receipts (random part of 300) to /api/v1/stock/issues and /receipts.
 *   2. Service: the same workload calling postStockEvent directly, 8 at a time.
 *   3. Goods-in: a 200-line PO (made with createPurchaseOrder) verified line by line, one request
 *      after another, through POST /api/v1/purchase-orders/:id/receipts; server time per request
 *      (timed around the app's request listener) and client round trip on loopback. Then its
 *      goods-in page, GET /goods-in/:id with a signed-in session, ~30 renders with nothing received
 *      and again half-received (purchaseOrderView alone is timed too, and is all that is timed
 *      while the page does not exist yet).
 *   4. As-at valuation over 10,000 parts and 1,000,000 movements loaded with generate_series.
 *   explode: a 6-level BOM over 5,000 parts exploded by the pure domain (bench/explode.ts);
 *   shortages: the shortage cascade over 50 open jobs (bench/shortages.ts; alone it runs on PGlite too).
 *   jobs: completing a job that consumes 200 component lines, through completeJob (bench/job-completion.ts).
 *   import: the parts CSV import, 10,000 new parts with stock and a 10,000-row refusal (bench/import.ts).
 *   webhooks: signed Xero deliveries at 200 events/s for 10 s: acknowledgement latency, each event stored once (bench/webhooks.ts).
 *   xero: goods-in lines verified one by one, each timed until its journal is accepted by a fake Xero on loopback (bench/xero-posting.ts).
 * Besides throughput and latency it prints SQL statements per movement (by shape, with their
 * round-trip times) and CPU per movement in Node and in the PostgreSQL backends (read from /proc
 * when the server is local), whose sum gives the CPU-bound ceiling on this machine's cores.
 * The load average is printed too: when other work shares the machine the figures are pessimistic.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { once } from 'node:events';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { Decimal } from '../server/domain/decimal';
import { postStockEvent } from '../server/services/stock/post-event';
import { StockCommand } from '../server/services/stock/types';
import { valuation } from '../server/services/valuation';
import { createPurchaseOrder } from '../server/services/purchasing/create-po';
import { purchaseOrderView } from '../server/services/purchasing/views';
import { Config } from '../server/config';
import { seedWorkload, seedGoodsIn, bulkLoad, Workload } from './seed';
import { explodePhase } from './explode';
import { shortagesPhase } from './shortages';
import { benchJobCompletion } from './job-completion';
import { importPhase } from './import';
import { webhooksPhase } from './webhooks';
import { xeroPostingPhase } from './xero-posting';
import { runLoops, JsonClient, LoadResult, httpRequest, withCookies } from './load';
import os from 'node:os';
import { Db } from '../server/db';
import { scratchDatabase, QueryCounter, MemorySampler, ServerTimer, median, spread, fmt, mib, cpuMs, machineBusyMs, pgBackendCpu, pgCpuDelta } from './support';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CLIENTS = 8;
const POOL = 16;
const PARTS = 300;
const OPENING_QTY = 5000;
const WARMUP_OPS = 400;
const DURATION_MS = 10_000;
const MAX_OPS = 200_000;
const BULK = { parts: 10_000, movements: 1_000_000, movementsPerEvent: 4, days: 730, startDate: '2024-01-01' };
const AS_AT = '2024-12-31';
const VALUATION_RUNS = 5;
const ONE_CLIENT_MS = 3_000;
const CALIBRATION_MS = 3_000;
const ROUND_TRIPS = [18, 6];
const GOODS_IN_LINES = 200;
const GOODS_IN_WARMUP_LINES = 20;
const PAGE_RENDERS = 30;

const PHASES = ['floor', 'http', 'service', 'goods-in', 'explode', 'shortages', 'jobs', 'import', 'webhooks', 'xero', 'valuation'];
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const p of only) if (!PHASES.includes(p)) throw new Error(`Unknown bench phase ${p}: choose from ${PHASES.join(', ')}`);
const want = (phase: string) => !only.length || only.includes(phase);

const summary: string[] = [];
const log = (s = '') => console.log(s);

function pick<T>(xs: T[]): T {
  return xs[Math.floor(Math.random() * xs.length)];
}

/** Issue on even turns, receipt on odd (clients start on alternate kinds), one line of quantity 1. */
function nextKind(client: number, i: number): 'issue' | 'receipt' {
  return (client + i) % 2 === 0 ? 'issue' : 'receipt';
}

function httpBody(kind: 'issue' | 'receipt', sku: string, i: number) {
  return kind === 'issue'
    ? { reference: `bench ${i}`, lines: [{ part: sku, location: 'MAIN', quantity: '1' }] }
    : { reference: `bench ${i}`, lines: [{ part: sku, location: 'MAIN', quantity: '1', unit_cost: i % 4 < 2 ? '10.00' : '12.50' }] };
}

function serviceCommand(kind: 'issue' | 'receipt', sku: string, i: number, today: string): StockCommand {
  return kind === 'issue'
    ? { kind: 'issue', expenseRole: 'cogs', occurredOn: today, reference: `bench ${i}`, lines: [{ part: sku, location: 'MAIN', quantity: new Decimal(1) }] }
    : { kind: 'receipt', occurredOn: today, reference: `bench ${i}`, lines: [{ part: sku, location: 'MAIN', quantity: new Decimal(1), unitCost: new Decimal(i % 4 < 2 ? '10.00' : '12.50') }] };
}

type Cpu = { node: number; machine: number; nodeMs: number; pgMs: number | null };

const ceiling = (c: Cpu, ops: number) => (c.pgMs === null ? '' : `; CPU-bound ceiling ≈ ${fmt((os.cpus().length * 1000) / ((c.nodeMs + c.pgMs) / ops), 0)}/s on ${os.cpus().length} idle cores`);

function printLoad(label: string, r: LoadResult, queries: QueryCounter, cpu: Cpu) {
  const ops = Math.max(1, r.ok + r.failed);
  log(`  ${label}: ${r.ok} movements in ${fmt(r.seconds, 2)} s${r.failed ? `, ${r.failed} failed` : ''}`);
  for (const [why, n] of r.failures) log(`    failure x${n}: ${why}`);
  log(`  throughput: ${fmt(r.perSecond, 0)} movements/s   (aim: >= 1,000 movements/s on 2 cores)`);
  log(`  latency ms: p50 ${fmt(r.p50, 2)}  p95 ${fmt(r.p95, 2)}  p99 ${fmt(r.p99, 2)}  max ${fmt(r.max, 2)}`);
  log(`  SQL statements: ${fmt(queries.total / ops, 1)} per movement (${queries.total} in all, BEGIN/COMMIT included)`);
  const nodePer = cpu.nodeMs / ops;
  const pgPer = cpu.pgMs === null ? null : cpu.pgMs / ops;
  log(`  CPU per movement: Node ${fmt(nodePer, 2)} ms${pgPer === null ? '' : `, PostgreSQL backends ${fmt(pgPer, 2)} ms`}` +
    (pgPer === null ? '' : `  => CPU-bound ceiling on ${os.cpus().length} idle cores ≈ ${fmt((os.cpus().length * 1000) / (nodePer + pgPer), 0)} movements/s`));
  log(`  CPU use: this Node process ${fmt(cpu.node, 0)}% of one core; whole machine ${fmt(cpu.machine, 0)}% of ${os.cpus().length} cores x 100%`);
}

function printShapes(queries: QueryCounter, ops: number, n: number, per = 'movement') {
  log(`  statements per ${per}, by shape (count per ${per} x mean ms from send to answer, as seen by Node; BEGIN and COMMIT, 1 each, are not timed by knex):`);
  for (const [shape, e] of queries.top(n).filter(([sh]) => !/^(BEGIN|COMMIT);?$|pg_stat_activity/.test(sh))) log(`    ${fmt(e.n / ops, 2).padStart(5)} x ${fmt(e.ms / e.n, 2).padStart(6)} ms  ${shape}`);
}

async function measureCpu<T>(db: Db, database: string, fn: () => Promise<T>): Promise<Cpu & { value: T }> {
  const p0 = await pgBackendCpu(db, database);
  const n0 = cpuMs();
  const m0 = machineBusyMs();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const nodeMs = cpuMs() - n0;
  const machine = ((machineBusyMs() - m0) / wall) * 100;
  const pgMs = pgCpuDelta(p0, await pgBackendCpu(db, database));
  return { value, node: (nodeMs / wall) * 100, machine, nodeMs, pgMs };
}

function loadNote(): string {
  const [one] = os.loadavg();
  const cores = os.cpus().length;
  return `load average ${fmt(one, 2)} on ${cores} cores${one > cores * 0.75 ? '  ** the machine is busy with other work: figures are pessimistic **' : ''}`;
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`', '&#x2F;': '/' };
const unescapeHtml = (v: string) => v.replace(/&(amp|lt|gt|quot|#x27|#x3D|#x60|#x2F);/g, (e) => entities[e]);

/**
 * Sign in through the login form (its CSRF token and session cookie) and check that the goods-in
 * page answers for the PO; otherwise a note saying why it cannot be timed (not there yet...).
 */
async function goodsInPage(server: http.Server, email: string, password: string, poId: string): Promise<{ path: string; cookie: string } | string> {
  const pages = path.join(__dirname, '..', 'views', 'pages');
  if (!fs.existsSync(path.join(pages, 'goods-in')) && !fs.existsSync(path.join(pages, 'goods-in.hbs'))) return 'views/pages/goods-in does not exist yet';
  const form = await httpRequest(server, { path: '/login' });
  let cookie = withCookies('', form);
  const token = /name="_csrf" value="([^"]*)"/.exec(form.body)?.[1];
  const body = new URLSearchParams({ _csrf: unescapeHtml(token ?? ''), email, password }).toString();
  const signed = await httpRequest(server, { method: 'POST', path: '/login', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
  cookie = withCookies(cookie, signed);
  if (signed.status !== 303) return `signing in answered HTTP ${signed.status}: ${signed.body.slice(0, 160)}`;
  const probe = await httpRequest(server, { path: `/goods-in/${poId}`, headers: { cookie } });
  if (probe.status !== 200) return `GET /goods-in/:id answered HTTP ${probe.status}`;
  return { path: `/goods-in/${poId}`, cookie };
}

/**
 * 3. Goods-in: one 200-line PO verified line by line over HTTP, one request after another, as one
 * person unpacking a big delivery would; and the goods-in page for that PO. Returns summary lines.
 */
async function goodsInPhase(db: Db, database: string, config: Config, setServer: (s: http.Server | undefined) => void): Promise<string[]> {
  log(`\n[3] Goods-in: a ${GOODS_IN_LINES}-line PO, each line verified in turn by POST /api/v1/purchase-orders/:id/receipts {line, quantity} (1 client, API key); then GET /goods-in/:id`);
  log(`  ${loadNote()}`);
  let s = performance.now();
  const w = await seedGoodsIn(db, GOODS_IN_LINES);
  log(`  seeded ${GOODS_IN_LINES} parts and ${w.poNumber}, ${GOODS_IN_LINES} lines through createPurchaseOrder (every 10th in boxes of 100; 10 flagged for buying less), in ${fmt(performance.now() - s, 0)} ms`);
  const timer = new ServerTimer();
  const app = createApp({ db, config: { ...config, logLevel: 'silent' }, log: createLogger('silent'), sessionSecret: config.sessionSecret ?? crypto.randomBytes(32).toString('hex') });
  const server = http.createServer(timer.wrap(app));
  setServer(server);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new JsonClient(server, { authorization: `Bearer ${w.apiKey}` }, 1);
  const pageAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const queries = new QueryCounter(db);
  try {
    // Warm-up (not counted): a 20-line PO on the same parts, received in full through the same route.
    const { body: warm } = await createPurchaseOrder(db, w.actor, {
      supplier: 'Bench Supplies Ltd', location: 'MAIN', reference: 'warm-up',
      lines: w.skus.slice(0, GOODS_IN_WARMUP_LINES).map((part) => ({ part, quantity: new Decimal(1), unitPrice: new Decimal('4.00') })),
    });
    for (const l of warm.lines) {
      const r = await client.post(`/api/v1/purchase-orders/${warm.id}/receipts`, { line: l.id, quantity: l.quantity });
      if (r.status !== 201) throw new Error(`warm-up receipt answered HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    }
    // Statistics as a database in use has them (autovacuum's autoanalyze): without them the planner
    // takes these freshly filled tables for empty and joins PO lines and receipt lines by scanning.
    const autovacuum = (await db.raw('show autovacuum')).rows[0]?.autovacuum;
    s = performance.now();
    await db.raw('analyze');
    log(`  warmed up on a ${GOODS_IN_WARMUP_LINES}-line PO through the same route; then analyze (autovacuum is ${autovacuum} on this server) in ${fmt(performance.now() - s, 0)} ms`);
    const page = await goodsInPage(server, w.email, w.password, w.poId);
    if (typeof page === 'string') log(`  goods-in page: ${page}; timing purchaseOrderView (the data the page shows) instead. The bench times the page once it answers.`);

    const pageFigures: string[] = [];
    const timePage = async (label: string) => {
      const view: number[] = [];
      for (let i = 0; i < PAGE_RENDERS; i++) {
        const t = performance.now();
        await purchaseOrderView(db, w.actor.tenantId, w.poId);
        view.push(performance.now() - t);
      }
      const v = spread(view);
      if (typeof page === 'string') {
        log(`  purchaseOrderView, ${label} (${PAGE_RENDERS} runs): median ${fmt(median(view), 1)} ms, p95 ${fmt(v.p95, 1)} ms, max ${fmt(v.max, 1)} ms`);
        pageFigures.push(`${label}: purchaseOrderView median ${fmt(median(view), 1)} ms, p95 ${fmt(v.p95, 1)} ms`);
        return;
      }
      const round: number[] = [];
      let bytes = 0;
      timer.record = (m, u) => m === 'GET' && u.startsWith('/goods-in/');
      for (let i = 0; i < PAGE_RENDERS; i++) {
        const t = performance.now();
        const r = await httpRequest(server, { path: page.path, headers: { cookie: page.cookie }, agent: pageAgent });
        round.push(performance.now() - t);
        if (r.status !== 200) throw new Error(`GET ${page.path} answered HTTP ${r.status}`);
        bytes = Buffer.byteLength(r.body);
      }
      timer.record = null;
      const srv = timer.take();
      const sv = spread(srv);
      const rv = spread(round);
      log(`  GET /goods-in/:id, ${label} (${PAGE_RENDERS} renders, ${fmt(bytes / 1024, 0)} KiB of HTML): server median ${fmt(median(srv), 1)} ms, p95 ${fmt(sv.p95, 1)} ms, max ${fmt(sv.max, 1)} ms; ` +
        `client round trip median ${fmt(median(round), 1)} ms, p95 ${fmt(rv.p95, 1)} ms   (of which purchaseOrderView: median ${fmt(median(view), 1)} ms, p95 ${fmt(v.p95, 1)} ms)`);
      pageFigures.push(`${label}: median ${fmt(median(srv), 1)} ms, p95 ${fmt(sv.p95, 1)} ms server (purchaseOrderView median ${fmt(median(view), 1)} ms)`);
    };

    const serverMs: number[] = [];
    const clientMs: number[] = [];
    const sizes: number[] = [];
    const failures = new Map<string, number>();
    const receive = async (from: number, to: number) => {
      timer.record = (m, u) => m === 'POST' && u.endsWith('/receipts');
      queries.resume();
      for (let k = from; k < to; k++) {
        const t = performance.now();
        const r = await client.post(`/api/v1/purchase-orders/${w.poId}/receipts`, { line: w.lineIds[k], quantity: w.lineQty[k] });
        clientMs.push(performance.now() - t);
        sizes.push(Buffer.byteLength(r.body));
        if (r.status !== 201) {
          const why = `HTTP ${r.status} ${r.body.slice(0, 160)}`;
          failures.set(why, (failures.get(why) ?? 0) + 1);
        }
      }
      queries.stop();
      timer.record = null;
      serverMs.push(...timer.take());
    };

    const half = GOODS_IN_LINES / 2;
    await timePage('nothing received yet');
    const cpu1 = await measureCpu(db, database, () => receive(0, half));
    const firstHalfServer = spread(serverMs);
    await timePage(`${half} lines received (open delivery of ${half} lines)`);
    const cpu2 = await measureCpu(db, database, () => receive(half, GOODS_IN_LINES));
    const nodeCpu = (cpu1.nodeMs + cpu2.nodeMs) / GOODS_IN_LINES;
    const pgCpu = cpu1.pgMs === null || cpu2.pgMs === null ? null : (cpu1.pgMs + cpu2.pgMs) / GOODS_IN_LINES;
    const wall = clientMs.reduce((a, b) => a + b, 0);
    const secondHalfServer = spread(serverMs.slice(half));
    const final = await purchaseOrderView(db, w.actor.tenantId, w.poId);

    const sv = spread(serverMs);
    const cv = spread(clientMs);
    const n = GOODS_IN_LINES;
    log(`  ${n} verifications, one after another, in ${fmt(wall / 1000, 1)} s${failures.size ? `, ${[...failures.values()].reduce((a, b) => a + b, 0)} failed` : ''}; PO is now ${final.status}`);
    for (const [why, k] of failures) log(`    failure x${k}: ${why}`);
    log(`  server time per verification ms (request in to last byte out, timed around the app): p50 ${fmt(sv.p50, 2)}  p95 ${fmt(sv.p95, 2)}  p99 ${fmt(sv.p99, 2)}  max ${fmt(sv.max, 2)}   (aim: p95 < 30 ms)`);
    log(`    lines 1-${half}: p50 ${fmt(firstHalfServer.p50, 2)}, p95 ${fmt(firstHalfServer.p95, 2)}; lines ${half + 1}-${n}: p50 ${fmt(secondHalfServer.p50, 2)}, p95 ${fmt(secondHalfServer.p95, 2)}`);
    log(`  client round trip on loopback ms: p50 ${fmt(cv.p50, 2)}  p95 ${fmt(cv.p95, 2)}  p99 ${fmt(cv.p99, 2)}  max ${fmt(cv.max, 2)}`);
    log(`  CPU per verification: Node ${fmt(nodeCpu, 2)} ms (server and its one client)${pgCpu === null ? '' : `, PostgreSQL backends ${fmt(pgCpu, 2)} ms`}; one after another, these bound the time per line on an idle machine`);
    log(`  response size: first ${fmt(sizes[0] / 1024, 0)} KiB, largest ${fmt(Math.max(...sizes) / 1024, 0)} KiB (the verified line, its PO's status and the open delivery); SQL statements: ${fmt(queries.total / n, 1)} per verification (BEGIN/COMMIT included)`);
    printShapes(queries, n, 10, 'verification');
    return [
      `goods-in:  ${n}-line PO verified line by line over HTTP: server p50 ${fmt(sv.p50, 1)} ms, p95 ${fmt(sv.p95, 1)} ms, max ${fmt(sv.max, 1)} ms (client round trip p50 ${fmt(cv.p50, 1)} ms, p95 ${fmt(cv.p95, 1)} ms; SQL/verification ${fmt(queries.total / n, 1)}; CPU/verification Node ${fmt(nodeCpu, 1)} ms${pgCpu === null ? '' : ` + PostgreSQL ${fmt(pgCpu, 1)} ms`})   aim p95 < 30 ms server`,
      `goods-in page for that PO (${typeof page === 'string' ? 'page not there yet: purchaseOrderView only' : 'GET /goods-in/:id'}, ${PAGE_RENDERS} each): ${pageFigures.join('; ')}`,
    ];
  } finally {
    queries.detach();
    client.close();
    pageAgent.destroy();
    server.closeAllConnections?.();
    server.close();
    setServer(undefined);
  }
}

async function main() {
  const config = loadConfig();
  const adminUrl = config.databaseUrl ?? DEFAULT_URL;
  const benchStart = performance.now();
  const scratch = await scratchDatabase(adminUrl, POOL);
  const { db } = scratch;
  let server: http.Server | undefined;
  const stop = () => {
    server?.closeAllConnections?.();
    server?.close();
    void scratch.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  try {
    log(`Perpetua bench — database ${scratch.name} (dropped at the end), pool ${POOL}, ${CLIENTS} concurrent clients, node ${process.version}`);
    log(`machine: ${os.cpus().length} cores, ${loadNote()}`);
    const t0 = performance.now();
    await db.migrate.latest();
    log(`migrated in ${fmt(performance.now() - t0, 0)} ms`);
    const today = new Date().toISOString().slice(0, 10);
    const queries = new QueryCounter(db);
    let s = 0;

    if (want('floor')) {
      // 0. Round-trip calibration: what the statement count alone costs on this machine.
      log('\n[0] Round-trip floor: 8 clients running transactions of N statements (BEGIN, N-3 x select 1, one insert, COMMIT)');
      log(`  ${loadNote()}`);
      await db.raw('create table bench_round_trip (id bigserial primary key, at timestamptz not null default now())');
      const floor = new Map<number, LoadResult>();
      for (const n of ROUND_TRIPS) {
        const op = async () => {
          await db.transaction(async (trx) => {
            for (let i = 0; i < n - 3; i++) await trx.raw('select 1');
            await trx.raw('insert into bench_round_trip default values');
          });
          return null;
        };
        await runLoops(CLIENTS, 30_000, 200, op);
        const c = await measureCpu(db, scratch.name, () => runLoops(CLIENTS, CALIBRATION_MS, MAX_OPS, op));
        const r = c.value;
        floor.set(n, r);
        const ops = Math.max(1, r.ok);
        log(`  N = ${String(n).padStart(2)}: ${fmt(r.perSecond, 0)} transactions/s, p50 ${fmt(r.p50, 2)} ms, p95 ${fmt(r.p95, 2)} ms; ` +
          `CPU per transaction: Node ${fmt(c.nodeMs / ops, 2)} ms${c.pgMs === null ? '' : `, PostgreSQL ${fmt(c.pgMs / ops, 2)} ms`}`);
      }
      summary.push(`floor:     ${ROUND_TRIPS.map((n) => `${fmt(floor.get(n)!.perSecond, 0)} tx/s at ${n} statements`).join(', ')} (8 clients, trivial statements: the ceiling the round trips alone allow)`);
    }

    if (want('http')) {
      // 1. HTTP
      log('\n[1] HTTP API: POST /api/v1/stock/issues | /receipts, 1 line, random part of 300');
      s = performance.now();
      const httpLoad: Workload = await seedWorkload(db, 'http', PARTS, OPENING_QTY);
      log(`  seeded ${PARTS} parts with opening stock at 10.00 and 12.50 in ${fmt(performance.now() - s, 0)} ms`);
      const appConfig = { ...config, logLevel: 'silent' };
      const app = createApp({ db, config: appConfig, log: createLogger('silent'), sessionSecret: config.sessionSecret ?? crypto.randomBytes(32).toString('hex') });
      server = http.createServer(app);
      server.keepAliveTimeout = 30_000;
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const client = new JsonClient(server, { authorization: `Bearer ${httpLoad.apiKey}` }, CLIENTS);
      const httpOp = async (c: number, i: number) => {
        const kind = nextKind(c, i);
        const r = await client.post(`/api/v1/stock/${kind === 'issue' ? 'issues' : 'receipts'}`, httpBody(kind, pick(httpLoad.skus), i));
        return r.status === 201 ? null : `${kind} HTTP ${r.status} ${r.body.slice(0, 160)}`;
      };
      await runLoops(CLIENTS, 30_000, WARMUP_OPS, httpOp);
      log(`  ${loadNote()}`);
      queries.start();
      const h = await measureCpu(db, scratch.name, () => runLoops(CLIENTS, DURATION_MS, MAX_OPS, httpOp));
      queries.stop();
      printLoad('HTTP', h.value, queries, h);
      log('  (Node CPU here includes the in-process load generator: its 8 keep-alive clients)');
      const httpStatements = queries.total;
      const reqs = h.value.ok + h.value.failed;
      printShapes(queries, reqs, 24);
      queries.start();
      const one = await runLoops(1, ONE_CLIENT_MS, MAX_OPS, httpOp);
      queries.stop();
      log(`  one client alone (${ONE_CLIENT_MS / 1000} s): ${fmt(one.perSecond, 0)} movements/s, latency p50 ${fmt(one.p50, 2)} ms, p95 ${fmt(one.p95, 2)} ms; ` +
        `time inside SQL round trips ${fmt([...queries.byShape.values()].reduce((a, e) => a + e.ms, 0) / Math.max(1, one.ok + one.failed), 2)} ms per request`);
      client.close();
      server.closeAllConnections?.();
      server.close();
      server = undefined;
      summary.push(`http:      ${fmt(h.value.perSecond, 0)} movements/s (p50 ${fmt(h.value.p50, 1)} ms, p95 ${fmt(h.value.p95, 1)} ms, p99 ${fmt(h.value.p99, 1)} ms; SQL/request ${fmt(httpStatements / Math.max(1, reqs), 1)}${ceiling(h, reqs)})   aim >= 1,000/s`);
    }

    if (want('service')) {
      // 2. Service
      log('\n[2] Service: postStockEvent directly, same workload');
      s = performance.now();
      const svcLoad = await seedWorkload(db, 'svc', PARTS, OPENING_QTY);
      log(`  seeded ${PARTS} parts in ${fmt(performance.now() - s, 0)} ms`);
      const svcOp = async (c: number, i: number) => {
        const kind = nextKind(c, i);
        const r = await postStockEvent(db, svcLoad.actor, serviceCommand(kind, pick(svcLoad.skus), i, today));
        return r.status === 201 ? null : `${kind} status ${r.status}`;
      };
      await runLoops(CLIENTS, 30_000, WARMUP_OPS, svcOp);
      queries.start();
      log(`  ${loadNote()}`);
      const v = await measureCpu(db, scratch.name, () => runLoops(CLIENTS, DURATION_MS, MAX_OPS, svcOp));
      queries.stop();
      printLoad('service', v.value, queries, v);
      const svcOps = v.value.ok + v.value.failed;
      printShapes(queries, svcOps, 8);
      summary.push(`service:   ${fmt(v.value.perSecond, 0)} movements/s (p50 ${fmt(v.value.p50, 1)} ms, p95 ${fmt(v.value.p95, 1)} ms; SQL/movement ${fmt(queries.total / Math.max(1, svcOps), 1)}${ceiling(v, svcOps)})   aim >= 1,000/s (HTTP's ceiling)`);
    }
    queries.detach();

    // 3. Goods-in
    if (want('goods-in')) summary.push(...(await goodsInPhase(db, scratch.name, config, (x) => { server = x; })));

    // Manufacturing planning: BOM explosion (pure) and the shortage cascade (bench/explode.ts, bench/shortages.ts).
    if (want('explode')) summary.push(...explodePhase(log));
    if (want('shortages')) summary.push(...(await shortagesPhase(db, log)));
    if (want('jobs')) summary.push(await benchJobCompletion(db, log));
    if (want('import')) summary.push(...(await importPhase(db, log)));
    if (want('webhooks')) summary.push(...(await webhooksPhase(db, config, log, (x) => { server = x; })));
    if (want('xero')) summary.push(...(await xeroPostingPhase(db, config, log)));

    if (want('valuation')) {
      // 4. As-at valuation
      log(`\n[4] As-at valuation: ${fmt(BULK.parts, 0)} parts (split over 2 locations), ${fmt(BULK.movements, 0)} movements (${BULK.movementsPerEvent} to an event) over ${BULK.days} days from ${BULK.startDate}, as at ${AS_AT}`);
      log(`  ${loadNote()}`);
      s = performance.now();
      const bulk = await bulkLoad(db, BULK);
      log(`  bulk-loaded in ${fmt((performance.now() - s) / 1000, 1)} s (${bulk.timings.map(([k, ms]) => `${k} ${fmt(ms / 1000, 1)} s`).join(', ')}; foreign-key triggers ${bulk.fkChecks})`);
      const counts = await db('stock_movements').where({ tenant_id: bulk.tenantId }).count<{ n: number }[]>({ n: '*' }).first();
      const upTo = await db('stock_movements').where({ tenant_id: bulk.tenantId }).where('occurred_on', '<=', AS_AT).count<{ n: number }[]>({ n: '*' }).first();
      log(`  ${fmt(Number(counts?.n), 0)} movements for the tenant, ${fmt(Number(upTo?.n), 0)} dated up to ${AS_AT}`);

      let captured: { sql: string; bindings: unknown[] } | undefined;
      const capture = (q: { sql: string; bindings: unknown[] }) => {
        if (/stock_movements/.test(q.sql)) captured = { sql: q.sql, bindings: q.bindings };
      };
      const timeValuation = async (label: string) => {
        global.gc?.();
        const base = process.memoryUsage();
        const times: number[] = [];
        const mem = new MemorySampler().start();
        let lines = 0;
        let total = '';
        db.on('query', capture);
        for (let i = 0; i < VALUATION_RUNS; i++) {
          const t = performance.now();
          const r = await valuation(db, bulk.tenantId, AS_AT);
          times.push(performance.now() - t);
          lines = r.lines.length;
          total = r.total;
          mem.sample();
        }
        db.removeListener('query', capture);
        mem.stop();
        const min = Math.min(...times);
        log(`  ${label}: ${lines} lines, total ${total}; ms per run: ${times.map((t) => fmt(t, 0)).join(', ')}`);
        log(`    min ${fmt(min, 0)} ms, median ${fmt(median(times), 0)} ms   (aim: under 1,000 ms)`);
        log(`    memory: peak RSS ${mib(mem.maxRss)} (before ${mib(base.rss)}), peak heapUsed ${mib(mem.maxHeapUsed)} (before ${mib(base.heapUsed)})`);
        return { min, median: median(times), mem, base };
      };
      const explain = async () => {
        if (!captured) return;
        const plan = await db.raw(`explain (analyze, buffers, costs off) ${captured.sql.replace(/\$\d+/g, '?')}`, captured.bindings as never);
        const rows: string[] = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']);
        for (const line of rows.filter((l) => /Scan|Heap Fetches|Execution Time|Planning Time|HashAggregate|GroupAggregate|Sort Method|JIT|Timing:|Workers/.test(l)).slice(0, 16)) log(`    plan: ${line.trim()}`);
      };
      const cold = await timeValuation('after ANALYZE (visibility map not yet set)');
      await explain();
      s = performance.now();
      await db.raw('vacuum (analyze) stock_movements');
      log(`  vacuum (analyze) stock_movements: ${fmt((performance.now() - s) / 1000, 1)} s`);
      const warm = await timeValuation('after VACUUM (the steady state autovacuum keeps)');
      await explain();
      summary.push(`valuation: as-at over ${fmt(BULK.movements, 0)} movements / ${fmt(BULK.parts, 0)} parts: min ${fmt(warm.min, 0)} ms, median ${fmt(warm.median, 0)} ms after VACUUM (min ${fmt(cold.min, 0)} ms, median ${fmt(cold.median, 0)} ms right after load); peak RSS ${mib(Math.max(warm.mem.maxRss, cold.mem.maxRss))}, peak heapUsed ${mib(Math.max(warm.mem.maxHeapUsed, cold.mem.maxHeapUsed))}   aim < 1,000 ms`);
    }

  } finally {
    if (server) {
      server.closeAllConnections?.();
      server.close();
    }
    await scratch.drop();
    log(`\ndropped ${scratch.name}`);
  }
  log('\n=== summary ===');
  for (const line of summary) log(line);
  log(`total bench time ${fmt((performance.now() - benchStart) / 1000, 0)} s`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
