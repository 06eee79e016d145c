import { Express } from 'express';
import { Db } from '../../../server/db';
import { Actor } from '../../../server/services/stock/types';
import { openTestDb, TestDb } from '../../support/db';
import { testApp } from '../../support/app';
import { signUp, Agent } from './session';

/**
 * A test file's database and app, with an organisation signed up through the first-run page:
 * its admin's signed-in agent, and the admin as an actor for services. Call it at the file's
 * top level: it registers the beforeAll that opens them and the afterAll that closes the database.
 */
export function signedUpApp(who: Parameters<typeof signUp>[2]): { readonly db: Db; readonly app: Express; readonly agent: Agent; readonly actor: Actor } {
  let t: TestDb;
  let app: Express;
  let agent: Agent;
  let actor: Actor;
  beforeAll(async () => {
    t = await openTestDb();
    app = testApp(t.db);
    ({ agent, actor } = await signUp(app, t.db, who));
  }, 60_000); // sign-up hashes a password and PGlite starts cold: slow on a loaded 2-core machine
  afterAll(async () => { await t.close(); });
  return {
    get db() { return t.db; },
    get app() { return app; },
    get agent() { return agent; },
    get actor() { return actor; },
  };
}
