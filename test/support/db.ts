import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import pg from 'pg';
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
  // A copy of a migrated template costs a fraction of running every migration again per file,
  // which matters on a busy CI machine.
  await admin.raw(`create database ${name} template ${await migratedPgTemplate(databaseUrl)}`);
  const url = withDatabase(databaseUrl, name);
  const db = createDb({ databaseUrl: url, poolMax: 20 });
  await db.migrate.latest(); // nothing to do on the template; kept so a stale one could never pass unmigrated
  return {
    db,
    kind: 'postgres',
    url,
    async close() {
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

function withDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A hash of the migrations' source: a changed migration makes a new template. */
function migrationsHash(): string {
  const dir = path.join(__dirname, '..', '..', 'migrations');
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The PostgreSQL template: made once per migrations hash by whichever test file gets there first
 * (the others wait on an advisory lock), with no connection left open to it, as CREATE DATABASE
 * … TEMPLATE requires. It is built under another name and renamed, so a half-built one is never
 * copied. Older templates are left alone: another run may still be copying one.
 */
async function migratedPgTemplate(databaseUrl: string): Promise<string> {
  const name = `perpetua_template_${migrationsHash()}`;
  // One session of its own: CREATE DATABASE cannot run inside a transaction, and the session-level
  // lock must be held by the connection that does the work.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', ['perpetua test template']);
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_building`;
    await client.query(`drop database if exists ${building} with (force)`);
    await client.query(`create database ${building}`);
    const db = createDb({ databaseUrl: withDatabase(databaseUrl, building), poolMax: 1 });
    try { await db.migrate.latest(); } finally { await db.destroy(); }
    await client.query(`alter database ${building} rename to ${name}`);
    return name;
  } finally {
    await client.end(); // ends the session, and with it the advisory lock
  }
}

/**
 * Starting PGlite and running every migration costs seconds per test file, so it is done once,
 * dumped, and each file starts from the dump. The dump's name carries a hash of the migrations'
 * source: a changed migration makes a new one.
 */
async function migratedTemplate(): Promise<Blob> {
  const file = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'perpetua', `pglite-${migrationsHash()}.tar.gz`);
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
