import crypto from 'node:crypto';
import knexFactory from 'knex';
import { createDb, Db } from '../../server/db';
import { loadConfig } from '../../server/config';

export type TestDb = { db: Db; kind: 'pglite' | 'postgres'; close(): Promise<void> };

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or (when
 * DATABASE_URL is set, as CI does) a throw-away database on that PostgreSQL server.
 */
export async function openTestDb(): Promise<TestDb> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) {
    const db = createDb({ inMemory: true });
    await db.migrate.latest();
    return { db, kind: 'pglite', close: () => db.destroy() };
  }
  const name = `perpetua_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = createDb({ databaseUrl: url.toString(), poolMax: 20 });
  await db.migrate.latest();
  return {
    db,
    kind: 'postgres',
    async close() {
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}
