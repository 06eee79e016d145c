import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { createDb, Db } from '../../server/db';
import { loadConfig } from '../../server/config';

/** `url` is the PostgreSQL database's address, for tests that start app processes against it. */
export type TestDb = { db: Db; kind: 'pglite' | 'postgres'; url?: string; close(): Promise<void> };

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or (when
 * DATABASE_URL is set, as CI does) a throw-away database on that PostgreSQL server.
 */
export async function openTestDb(): Promise<TestDb> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) {
    const db = createDb({ inMemory: true, loadDataDir: await migratedTemplate() });
    await db.migrate.latest(); // nothing to do on the template; kept so a stale one could never pass unmigrated
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
    url: url.toString(),
    async close() {
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

/**
 * Starting PGlite and running every migration costs seconds per test file, so it is done once,
 * dumped, and each file starts from the dump. The dump's name carries a hash of the migrations'
 * source: a changed migration makes a new one.
 */
async function migratedTemplate(): Promise<Blob> {
  const dir = path.join(__dirname, '..', '..', 'migrations');
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  const file = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'perpetua', `pglite-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  if (!fs.existsSync(file)) {
    const db = createDb({ inMemory: true });
    await db.migrate.latest();
    // knex-pglite keeps its one PGlite on the client.
    const dump = await (db.client as unknown as { pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite.dumpDataDir('gzip');
    await db.destroy();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed, so a parallel worker never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file);
  }
  return new Blob([fs.readFileSync(file)]);
}
