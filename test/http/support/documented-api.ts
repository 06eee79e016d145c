import request, { Response } from 'supertest';
import { Express } from 'express';
import { Db } from '../../../server/db';
import { openTestDb, TestDb } from '../../support/db';
import { testApp, givenApiClient } from '../../support/app';
import { problems, responseSchema, OpenApi } from './json-schema';

export type DocumentedApi = {
  readonly db: Db;
  readonly app: Express;
  readonly doc: OpenApi & Record<string, any>;
  /** The response's status is documented for the operation, and its JSON body matches the schema. */
  expectDocumented(res: Response, method: string, path: string): void;
};

/**
 * A test file's database and app, and the OpenAPI document the app serves, to check responses
 * against. Call it at the file's top level: it registers the beforeAll that opens them and the
 * afterAll that closes the database. The document is fetched with an admin API client's key
 * (its organisation is left in the database), or without a key when `anonymous`.
 */
export function documentedApi(opts: { anonymous?: boolean } = {}): DocumentedApi {
  let t: TestDb;
  let app: Express;
  let doc: OpenApi & Record<string, any>;
  beforeAll(async () => {
    t = await openTestDb();
    app = testApp(t.db);
    const get = opts.anonymous ? (url: string) => request(app).get(url) : (await givenApiClient(t.db, app)).get;
    doc = (await get('/api/v1/openapi.json').expect(200)).body;
  });
  afterAll(async () => { await t.close(); });
  return {
    get db() { return t.db; },
    get app() { return app; },
    get doc() { return doc; },
    expectDocumented(res, method, path) {
      expect(problems(doc, res.body, responseSchema(doc, method, path, res.status))).toEqual([]);
    },
  };
}
