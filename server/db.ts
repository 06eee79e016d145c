import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from '../migrations';

export type Db = Knex;
export type Trx = Knex.Transaction;

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;
// Dates are business dates ('YYYY-MM-DD'), never shifted by a time zone; numerics stay strings
// so no float ever holds a quantity or an amount; int8 is only used for counts and sequences.
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);
const pgliteParsers = { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v, [NUMERIC]: (v: string) => v };

/** inMemory may start from a dumped data directory (tests reuse one migrated database that way). */
export type DbOptions = { databaseUrl?: string; dataDir?: string; inMemory?: boolean; poolMax?: number; loadDataDir?: Blob };

export function createDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: opts.databaseUrl,
      pool: { min: 0, max: opts.poolMax ?? 10 },
      migrations: { migrationSource },
    });
  }
  let dir: string | undefined;
  if (!opts.inMemory) {
    dir = path.join(opts.dataDir ?? './data', 'pgdata');
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    claimDataDir(path.dirname(dir));
  }
  // PGlite is one connection in-process: knex-pglite pins the pool to one, so transactions serialise.
  // Both knex and knex-pglite call the connection function; one instance must answer both, or a
  // second PGlite would start on the same data (and outlive destroy()).
  let pglite: PGlite | undefined;
  return knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    // Options go in one object: PGlite ignores them when the data dir is passed as a separate argument.
    connection: () => ({ pglite: (pglite ??= new PGlite({ dataDir: dir, parsers: pgliteParsers, loadDataDir: opts.loadDataDir })) }) as object,
    migrations: { migrationSource },
  } as Knex.Config);
}

// What a lost or unreachable database looks like from pg, knex's pool and PGlite: the server
// refused or dropped the connection (SQLSTATE class 08, 57P01-57P03 when a backend is terminated
// or the server is shutting down, 53300 when it has no connections left), the socket failed, or no
// connection came free in time.
const OUTAGE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const OUTAGE_MESSAGES = /Connection terminated|connection error and is not queryable|Unable to acquire a connection|timeout exceeded when trying to connect|PGlite is closed/i;

/** The database could not be reached, or the connection was lost mid-request. */
export function isDatabaseOutage(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (OUTAGE_CODES.has(code) || code.startsWith('08')) return true;
  return e.name === 'KnexTimeoutError' || OUTAGE_MESSAGES.test(String(e.message ?? ''));
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest();
}

export function isPglite(db: Db): boolean {
  return (db.client.config as Knex.Config).client !== 'pg';
}

/**
 * PGlite is one process's database: two processes writing the same folder corrupt it. The first
 * takes a lock file holding its pid; another is refused while that pid lives (a stale lock from a
 * crashed process is taken over). Several processes need PostgreSQL (DATABASE_URL).
 */
function claimDataDir(dataDir: string): void {
  const lock = path.join(dataDir, 'perpetua.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      process.once('exit', () => fs.rmSync(lock, { force: true }));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lock, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(`Another Perpetua process (pid ${holder}) is using the embedded database in ${dataDir}; stop it first, or set DATABASE_URL to share a PostgreSQL database`);
      }
      fs.rmSync(lock, { force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
