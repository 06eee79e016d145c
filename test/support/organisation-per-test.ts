import { Db } from '../../server/db';
import { Actor } from '../../server/services/stock/types';
import { openTestDb, TestDb } from './db';
import { givenOrganisation } from './builders';

/**
 * One database for a test file and a fresh organisation for each test, with whatever `setUp`
 * gives it (parts, BOMs, stock). Call it at the file's top level: it registers the hooks.
 */
export function organisationPerTest(setUp: (db: Db, actor: Actor) => Promise<unknown>): { readonly db: Db; readonly actor: Actor } {
  let t: TestDb;
  let actor: Actor;
  beforeAll(async () => { t = await openTestDb(); });
  afterAll(async () => { await t.close(); });
  beforeEach(async () => {
    actor = await givenOrganisation(t.db);
    await setUp(t.db, actor);
  });
  return {
    get db() { return t.db; },
    get actor() { return actor; },
  };
}
