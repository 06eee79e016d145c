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

export type DbOptions = { databaseUrl?: string; dataDir?: string; inMemory?: boolean; poolMax?: number };

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
  }
  // PGlite is one connection in-process: knex-pglite pins the pool to one, so transactions serialise.
  return knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    // Options go in one object: PGlite ignores them when the data dir is passed as a separate argument.
    connection: () => ({ pglite: new PGlite({ dataDir: dir, parsers: pgliteParsers }) }) as object,
    migrations: { migrationSource },
  } as Knex.Config);
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest();
}

export function isPglite(db: Db): boolean {
  return (db.client.config as Knex.Config).client !== 'pg';
}
