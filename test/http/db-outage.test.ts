import express from 'express';
import request from 'supertest';
import knexFactory, { KnexTimeoutError } from 'knex';
import { createDb, Db } from '../../server/db';
import { errorHandler } from '../../server/http/error-handler';
import { createLogger } from '../../server/logger';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { onHand } from '../support/ledger-checks';

// A lost database is a 503 with Retry-After, never a 500. Lost at COMMIT, the outcome is unknown:
// the answer says so, and the same Idempotency-Key makes the retry safe whichever way it went.

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

type Connection = { processID?: number };
type QueryFn = (conn: Connection, obj: { sql: string }) => Promise<unknown>;

/**
 * Makes the next COMMIT on `db` fail as a lost connection: `before` runs before it is sent (the
 * transaction is lost), `after` once the database has answered it (the change was saved, the
 * answer lost). Transactions use a client made from the client's prototype, so that is patched.
 */
function failNextCommit(db: Db, when: { before?: (conn: Connection, send: (sql: string) => Promise<unknown>) => Promise<void>; after?: true }) {
  const proto = Object.getPrototypeOf(db.client) as { _query: QueryFn };
  const original = proto._query;
  proto._query = async function (this: unknown, conn, obj) {
    if (!/^commit/i.test(obj.sql)) return original.call(this, conn, obj);
    proto._query = original;
    if (when.before) await when.before(conn, (sql) => original.call(this, conn, { ...obj, sql }));
    const result = await original.call(this, conn, obj);
    if (when.after) throw new Error('Connection terminated unexpectedly');
    return result;
  };
}

/**
 * On PostgreSQL the backend is really terminated from a second connection. PGlite has no backends
 * to kill: its one connection rolls the transaction back, as a dying backend does, and the COMMIT
 * fails as a lost connection would.
 */
async function loseConnection(conn: Connection, send: (sql: string) => Promise<unknown>): Promise<void> {
  if (t.kind === 'postgres') {
    const killer = knexFactory({ client: 'pg', connection: t.url, pool: { min: 0, max: 1 } });
    // The timeout makes pg_terminate_backend wait until the backend has exited.
    await killer.raw('select pg_terminate_backend(?, 10000)', [conn.processID!]);
    await killer.destroy();
    return;
  }
  await send('ROLLBACK;');
  throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
}

const receipt = { occurred_on: '2026-11-02', lines: [{ part: 'P1', location: 'MAIN', quantity: '3', unit_cost: '2' }] };

describe('a connection lost while a change is committed', () => {
  it('answers 503 with Retry-After saying it may have been saved, and the retry with the same key records it once', async () => {
    const app = testApp(t.db);
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'P1', name: 'Part' }).expect(201);

    failNextCommit(t.db, { before: loseConnection });
    const lost = await c.post('/api/v1/stock/receipts', receipt, { 'Idempotency-Key': 'lost-at-commit' });
    expect({ status: lost.status, retryAfter: lost.headers['retry-after'], code: lost.body.error?.code }).toEqual({ status: 503, retryAfter: '5', code: 'outcome_unknown' });
    expect(lost.body.error.message).toMatch(/may have been saved.*same Idempotency-Key.*safe/);

    const retry = await c.post('/api/v1/stock/receipts', receipt, { 'Idempotency-Key': 'lost-at-commit' });
    expect(retry.status).toBe(201);
    expect(await onHand(t.db, c.actor, 'P1')).toBe('3');
    expect(Number((await t.db('stock_events').where({ tenant_id: c.actor.tenantId }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('replays the saved answer when the commit landed but its answer was lost', async () => {
    const app = testApp(t.db);
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'P1', name: 'Part' }).expect(201);

    failNextCommit(t.db, { after: true });
    const lost = await c.post('/api/v1/stock/receipts', receipt, { 'Idempotency-Key': 'answer-lost' });
    expect({ status: lost.status, retryAfter: lost.headers['retry-after'], code: lost.body.error?.code }).toEqual({ status: 503, retryAfter: '5', code: 'outcome_unknown' });

    const retry = await c.post('/api/v1/stock/receipts', receipt, { 'Idempotency-Key': 'answer-lost' });
    expect({ status: retry.status, replayed: retry.headers['idempotent-replayed'] }).toEqual({ status: 201, replayed: 'true' });
    expect(await onHand(t.db, c.actor, 'P1')).toBe('3');
  });
});

describe('a database outage', () => {
  it('answers 503 with Retry-After when the database refuses connections', async () => {
    // Nothing listens on port 1: every connection is refused.
    const down = createDb({ databaseUrl: 'postgres://postgres@127.0.0.1:1/perpetua' });
    try {
      const res = await request(testApp(down)).get('/api/v1/parts').set('Authorization', 'Bearer pk_0123456789ab_well-formed-but-unchecked');
      expect({ status: res.status, retryAfter: res.headers['retry-after'], code: res.body.error?.code }).toEqual({ status: 503, retryAfter: '5', code: 'database_unavailable' });
      expect(res.body.error.message).toBe('The database is not reachable just now; try again in a few seconds');
    } finally {
      await down.destroy();
    }
  });

  it('answers 503 with Retry-After when no pooled connection comes free in time', async () => {
    const app = express();
    app.get('/x', () => { throw new KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.'); });
    app.use(errorHandler(createLogger('silent')));
    const res = await request(app).get('/x').set('Accept', 'application/json');
    expect({ status: res.status, retryAfter: res.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '5' });
  });
});
