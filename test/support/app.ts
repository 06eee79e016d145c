import request from 'supertest';
import { Express } from 'express';
import { createApp } from '../../server/app';
import { Config, loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createApiKey } from '../../server/services/auth/accounts';
import { Db } from '../../server/db';
import { givenOrganisation } from './builders';

/** The app as a test runs it; `overrides` sets configuration such as the Xero client. */
export function testApp(db: Db, overrides: Partial<Config> = {}): Express {
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), publicUrl: 'http://localhost:3000', ...overrides };
  return createApp({ db, config, log: createLogger('silent'), sessionSecret: 'test-secret-test-secret-test-secret-00' });
}

/** An organisation with an admin API key, and a supertest agent that sends it. */
export async function givenApiClient(db: Db, app: Express, role: 'admin' | 'operations' | 'bookkeeper' = 'admin') {
  const actor = await givenOrganisation(db);
  const { key } = await createApiKey(db, actor.tenantId, actor.userId ?? null, 'tests', role);
  const auth = { Authorization: `Bearer ${key}` };
  return {
    actor,
    key,
    get: (url: string) => request(app).get(url).set(auth),
    post: (url: string, body?: unknown, headers: Record<string, string> = {}) => request(app).post(url).set(auth).set(headers).send(body as object),
    patch: (url: string, body?: unknown) => request(app).patch(url).set(auth).send(body as object),
  };
}
