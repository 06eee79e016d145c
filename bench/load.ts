import http from 'node:http';
import { AddressInfo } from 'node:net';
import { percentile } from './support';

export type LoadResult = { ok: number; failed: number; failures: Map<string, number>; seconds: number; latenciesMs: number[]; p50: number; p95: number; p99: number; max: number; perSecond: number };

/**
 * `clients` loops, each calling `op(client, i)` back to back until `durationMs` has passed or
 * `maxOps` operations have been started in total. `op` resolves to null on success or a short
 * failure label. Latency is measured around each call.
 */
export async function runLoops(clients: number, durationMs: number, maxOps: number, op: (client: number, i: number) => Promise<string | null>): Promise<LoadResult> {
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let started = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const loop = async (client: number) => {
    for (let i = 0; performance.now() < deadline && started < maxOps; i++) {
      started++;
      const s = performance.now();
      let problem: string | null;
      try {
        problem = await op(client, i);
      } catch (err) {
        problem = `threw ${(err as Error).message?.slice(0, 120)}`;
      }
      if (problem) {
        failed++;
        failures.set(problem, (failures.get(problem) ?? 0) + 1);
      } else latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    ok: latencies.length,
    failed,
    failures,
    seconds,
    latenciesMs: sorted,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    perSecond: latencies.length / seconds,
  };
}

/** A tiny keep-alive JSON client (node:http, one socket per concurrent client), lighter than fetch. */
export class JsonClient {
  private readonly agent: http.Agent;
  constructor(private readonly server: http.Server, private readonly headers: Record<string, string>, sockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  post(path: string, body: unknown): Promise<{ status: number; body: string }> {
    const { port } = this.server.address() as AddressInfo;
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path, method: 'POST', agent: this.agent, headers: { ...this.headers, 'content-type': 'application/json', 'content-length': payload.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type HttpAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * One request to the bench server on its own keep-alive agent (or a fresh socket): for page
 * requests with cookies and form posts, which JsonClient does not do.
 */
export function httpRequest(
  server: http.Server,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent },
): Promise<HttpAnswer> {
  const { port } = server.address() as AddressInfo;
  const payload = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', agent: opts.agent,
        headers: { ...opts.headers, ...(payload ? { 'content-length': payload.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Cookies a response sets, as one Cookie header value merged over `jar` (name=value only). */
export function withCookies(jar: string, res: HttpAnswer): string {
  const map = new Map(jar.split('; ').filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c] as [string, string]));
  for (const set of res.headers['set-cookie'] ?? []) {
    const pair = set.split(';')[0];
    map.set(pair.slice(0, pair.indexOf('=')), pair);
  }
  return [...map.values()].join('; ');
}
