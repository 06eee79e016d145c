import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import knexFactory from 'knex';
import { createDb, Db } from '../server/db';

/** A throw-away database next to the one in `adminUrl`; `drop()` removes it (forcing out stray sessions). */
export async function scratchDatabase(adminUrl: string, poolMax: number): Promise<{ name: string; url: string; db: Db; drop: () => Promise<void> }> {
  const name = `perpetua_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = createDb({ databaseUrl: url, poolMax });
  let dropped = false;
  return {
    name,
    url,
    db,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await db.destroy().catch(() => undefined);
      try {
        await admin.raw(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.destroy();
      }
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const fmt = (n: number, dp = 1) => (Number.isFinite(n) ? n.toLocaleString('en-GB', { minimumFractionDigits: dp, maximumFractionDigits: dp }) : String(n));
export const mib = (bytes: number) => `${fmt(bytes / 1048576, 1)} MiB`;

/** Samples RSS and heap while something runs (the samples land between awaits, and every 5 ms when the loop is free). */
export class MemorySampler {
  maxRss = 0;
  maxHeapUsed = 0;
  private timer?: NodeJS.Timeout;
  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.maxRss) this.maxRss = m.rss;
    if (m.heapUsed > this.maxHeapUsed) this.maxHeapUsed = m.heapUsed;
  }
  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), 5);
    return this;
  }
  stop(): void {
    this.sample();
    if (this.timer) clearInterval(this.timer);
  }
}

/**
 * Counts the SQL statements a pool sends, by statement shape (value lists folded), with the time
 * from sending each to its answer, so a bench can say how many round trips one request costs,
 * which ones, and how long each waits.
 */
export class QueryCounter {
  total = 0;
  byShape = new Map<string, { n: number; ms: number }>();
  private on = false;
  private pending = new Map<string, { shape: string; t: number }>();
  private readonly onQuery = (q: { sql?: string; __knexQueryUid?: string }) => {
    if (!this.on) return;
    this.total++;
    const shape = (q.sql ?? '?').replace(/\s+/g, ' ').replace(/\$\d+/g, '?').replace(/\((\?(::\w+)?,? ?)+\)/g, '(…)').replace(/(\(…\),? ?)+/g, '(…)').slice(0, 100);
    const e = this.byShape.get(shape) ?? { n: 0, ms: 0 };
    e.n++;
    this.byShape.set(shape, e);
    if (q.__knexQueryUid) this.pending.set(q.__knexQueryUid, { shape, t: performance.now() });
  };
  private readonly onResponse = (_r: unknown, q: { __knexQueryUid?: string }) => {
    const p = q.__knexQueryUid ? this.pending.get(q.__knexQueryUid) : undefined;
    if (!p) return;
    this.pending.delete(q.__knexQueryUid!);
    const e = this.byShape.get(p.shape);
    if (e) e.ms += performance.now() - p.t;
  };
  constructor(private readonly db: Db) {
    db.on('query', this.onQuery);
    db.on('query-response', this.onResponse);
    db.on('query-error', this.onResponse);
  }
  start(): void {
    this.total = 0;
    this.byShape.clear();
    this.pending.clear();
    this.on = true;
  }
  stop(): void {
    this.on = false;
  }
  /** Count again without clearing what was counted so far. */
  resume(): void {
    this.on = true;
  }
  detach(): void {
    this.db.removeListener('query', this.onQuery);
    this.db.removeListener('query-response', this.onResponse);
    this.db.removeListener('query-error', this.onResponse);
  }
  top(n: number): [string, { n: number; ms: number }][] {
    return [...this.byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, n);
  }
}

/**
 * CPU time (ms) per PostgreSQL backend serving one database, read from /proc: only when the
 * server runs on this machine and its processes are visible; otherwise an empty map.
 */
export async function pgBackendCpu(db: Db, database: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  try {
    const r = await db.raw('select pid from pg_stat_activity where datname = ?', [database]);
    for (const { pid } of r.rows as { pid: number }[]) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, USER_HZ = 100
      } catch {
        // not visible from here
      }
    }
  } catch {
    // not PostgreSQL, or no access to pg_stat_activity
  }
  return out;
}

/** CPU ms the backends used between two snapshots (a backend new since `before` counts from zero); null if none was visible. */
export function pgCpuDelta(before: Map<number, number>, after: Map<number, number>): number | null {
  if (!after.size) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time of this process (user+system, ms), to tell Node's share of the 2 cores from PostgreSQL's. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Busy CPU time of the whole machine (ms, summed over cores), from os.cpus(). */
export function machineBusyMs(): number {
  return os.cpus().reduce((a, c) => a + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
}

/**
 * Server time per request: wraps the app's request listener and times each request from its
 * arrival (headers parsed) until the response's last byte is handed to the socket ('finish'),
 * so the figure leaves out the client and the loopback hop. Only requests `record` picks are kept.
 */
export class ServerTimer {
  samples: number[] = [];
  record: ((method: string, url: string) => boolean) | null = null;
  wrap(app: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
    return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const pick = this.record?.(req.method ?? 'GET', req.url ?? '/');
      if (pick) {
        const t0 = performance.now();
        res.once('finish', () => this.samples.push(performance.now() - t0));
      }
      app(req, res);
    };
  }
  take(): number[] {
    const s = this.samples;
    this.samples = [];
    return s;
  }
}

/** p50 / p95 / p99 / max of a list of ms, as the bench prints them. */
export function spread(xs: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}
