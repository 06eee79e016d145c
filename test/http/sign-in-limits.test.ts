import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createOrganisation } from '../../server/services/auth/accounts';
import { csrfOf } from './support/session';

const ADA = { email: 'ada@limits.test', password: 'correct horse battery' };

describe('sign-in limits: failures per account and per client address, kept in the database', () => {
  let t: TestDb;
  let now = new Date('2026-12-08T09:00:00Z');
  // Two web processes on one database; the client's address comes from the (loopback) proxy's X-Forwarded-For.
  const apps: Express[] = [];
  const webProcess = () => createApp({
    db: t.db,
    config: { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), trustProxy: 'loopback', signup: 'open' },
    log: createLogger('silent'),
    sessionSecret: 'test-secret-test-secret-test-secret-00',
    clock: () => now,
  });
  const wait = (seconds: number) => { now = new Date(now.getTime() + seconds * 1000); };

  /** One sign-in from a browser at `from`, through the login form. */
  async function signInFrom(from: string, who: { email: string; password: string }, app = apps[0]) {
    const agent = request.agent(app);
    const page = await agent.get('/login').set('X-Forwarded-For', from).expect(200);
    return agent.post('/login').set('X-Forwarded-For', from).type('form').send({ ...who, _csrf: csrfOf(page.text) });
  }

  beforeAll(async () => {
    t = await openTestDb();
    apps.push(webProcess(), webProcess());
    await createOrganisation(t.db, { organisation: 'Limits Ltd', name: 'Ada', ...ADA });
  }, 60_000);
  afterAll(async () => { await t.close(); });

  it('lets an office behind one address sign in 21 times in a row (one past the old limit): successes are never counted', async () => {
    for (let i = 0; i < 21; i++) {
      const res = await signInFrom('198.51.100.1', ADA);
      expect(res.status).toBe(303);
    }
    expect(await t.db('attempt_limits').where('key', 'like', '%198.51.100.1').count<{ n: number }[]>('* as n')).toEqual([{ n: 0 }]);
  }, 120_000);

  it("lets the real user in after at most a minute's wait, whatever a stranger's 20 wrong passwords", async () => {
    const stranger = { email: ADA.email, password: 'not-the-password' };
    for (let wrong = 0; wrong < 20;) {
      const res = await signInFrom('203.0.113.9', stranger);
      if (res.status === 429) {
        wait(Number(res.headers['retry-after'])); // a patient stranger waits each back-off out
        continue;
      }
      expect(res.status).toBe(401);
      wrong++;
    }
    // Ada, at her own desk: the account waits, but no longer than a minute.
    const refused = await signInFrom('198.51.100.7', ADA, apps[1]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.text).toContain('Too many failed sign-ins for this email; wait 1 minute and try again');
    wait(Number(refused.headers['retry-after']));
    expect((await signInFrom('198.51.100.7', ADA, apps[1])).status).toBe(303);
    // Her sign-in clears the account's count: her next typo costs nothing extra.
    expect(await t.db('attempt_limits').where({ key: `account:${ADA.email}` }).first()).toBeUndefined();
  }, 120_000);

  it('checks no more guesses than the free allowance when they are all sent at once', async () => {
    const target = { email: 'bo@limits.test', password: 'correct horse battery' };
    await createOrganisation(t.db, { organisation: 'Parallel Ltd', name: 'Bo', ...target });
    // 40 wrong guesses at once, from 40 addresses, half through each process: each is counted
    // before its password is checked, so those past the allowance are refused unchecked.
    const forms = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const agent = request.agent(apps[i % 2]);
      const page = await agent.get('/login').set('X-Forwarded-For', `203.0.113.${100 + i}`).expect(200);
      return { agent, from: `203.0.113.${100 + i}`, csrf: csrfOf(page.text) };
    }));
    const answers = await Promise.all(forms.map(({ agent, from, csrf }) =>
      agent.post('/login').set('X-Forwarded-For', from).type('form').send({ email: target.email, password: 'guess', _csrf: csrf })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    wait(61);
    expect((await signInFrom('198.51.100.8', target)).status).toBe(303);
  }, 120_000);

  it('answers a flood of failures from one address with 429 and Retry-After, in every process, and only there', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await signInFrom('192.0.2.50', { email: `guess-${i}@limits.test`, password: 'guess' })).status).toBe(401);
    }
    // The other process refuses the 21st, even with the right password (it is not checked).
    const flooded = await signInFrom('192.0.2.50', ADA, apps[1]);
    expect(flooded.status).toBe(429);
    expect(flooded.headers['retry-after']).toBe('60');
    expect(flooded.text).toContain('Too many failed sign-ins from your network address; wait 1 minute and try again');
    expect((await signInFrom('198.51.100.8', ADA)).status).toBe(303);
    wait(60);
    expect((await signInFrom('192.0.2.50', ADA)).status).toBe(303);
  }, 120_000);

  it('limits sign-ups from one address (each may create an organisation), telling how long to wait', async () => {
    const signUpFrom = async (from: string) => {
      const agent = request.agent(apps[0]);
      const page = await agent.get('/setup').set('X-Forwarded-For', from).expect(200);
      return agent.post('/setup').set('X-Forwarded-For', from).type('form').send({ organisation: '', _csrf: csrfOf(page.text) });
    };
    for (let i = 0; i < 20; i++) expect((await signUpFrom('192.0.2.77')).status).toBe(422);
    const flooded = await signUpFrom('192.0.2.77');
    expect(flooded.status).toBe(429);
    expect(flooded.headers['retry-after']).toBe('600');
    expect(flooded.text).toContain('Too many sign-ups from your network address; wait 10 minutes and try again');
    expect((await signUpFrom('192.0.2.78')).status).toBe(422);
  }, 120_000);
});
