import request from 'supertest';
import { Express } from 'express';
import { csrfOf, signIn as signInAs } from './support/session';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { createOrganisation, addUser } from '../../server/services/auth/accounts';
import { Actor } from '../../server/services/stock/types';
import { cancelJob } from '../../server/services/jobs/release';
import { givenPumpWorks, givenJob, jobsAndLedger } from '../integration/jobs/helpers';

// A refusal shows its message where the person is: in the fragment htmx swaps in, even when the
// form that was posted is no longer on it (a stale card: the step was done, the job closed in
// another tab). Each case asserts the HTTP body carries the message and that nothing changed.

jest.setTimeout(120_000);

type Agent = ReturnType<typeof request.agent>;
const OPS = { email: 'otto@refusals.example', password: 'operations password 1' };

let t: TestDb;
let app: Express;
let actor: Actor;
let ops: Agent;

beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  const user = await createOrganisation(t.db, {
    organisation: 'Refusal Works', name: 'Ada Admin', email: 'ada@refusals.example', password: 'correct horse battery',
  });
  actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  await addUser(t.db, actor.tenantId, { ...OPS, name: 'Otto Operator', role: 'operations' });
  await givenPumpWorks(t.db, actor); // a pump: 1 frame + 4 screws (step 1), 1 serial motor (step 2)
  ops = await signInAs(app, OPS.email, OPS.password);
}, 180_000);
afterAll(async () => { await t.close(); });

/** The fields of the form posting to `action` as the page shows it now (the page left open). */
async function staleForm(page: string, action: string, fields: Record<string, unknown>) {
  const html = (await ops.get(page).expect(200)).text;
  const at = html.indexOf(`action="${action}"`);
  if (at < 0) throw new Error(`no form posting to ${action}`);
  const key = /name="idempotency_key" value="([^"]+)"/.exec(html.slice(at))![1];
  return { _csrf: csrfOf(html), idempotency_key: key, ...fields };
}

const problemOf = (html: string) => /<div class="problem" role="alert">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';

describe('a refused job card action', () => {
  it('shows why when the step was already done for every unit (a card left open)', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 1, { release: true });
    const page = `/jobs/${job.number}`;
    const step1 = `${page}/steps/1`;
    const stale = await staleForm(page, step1, { do: 'complete', quantity: '1' });
    await ops.post(step1).type('form').send(await staleForm(page, step1, { do: 'complete', quantity: '1' })).expect(303);
    const before = await jobsAndLedger(t.db, actor);
    const res = await ops.post(step1).type('form').set('HX-Request', 'true').send(stale);
    expect([409, 422]).toContain(res.status);
    expect(res.text.trim()).toMatch(/^<div id="job-card"/);
    expect(problemOf(res.text)).toMatch(new RegExp(`<strong>Nothing was saved.</strong> .*Step 1 of ${job.number} has 1 of 1 done`));
    expect(await jobsAndLedger(t.db, actor)).toEqual(before);
    const plain = await ops.post(step1).type('form').send({ ...stale, idempotency_key: 'another-tab' }); // no JavaScript: the page
    expect(plain.text).toContain('<html');
    expect(problemOf(plain.text)).toContain(`Step 1 of ${job.number} has 1 of 1 done`);
  });

  it('shows why when the job was cancelled before its completion was posted', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 1, { release: true });
    const page = `/jobs/${job.number}`;
    const done = `${page}/complete`;
    const stale = await staleForm(page, done, { do: 'complete', quantity: '1', serials: 'PX-9' });
    await cancelJob(t.db, actor, job.id);
    const before = await jobsAndLedger(t.db, actor);
    const res = await ops.post(done).type('form').set('HX-Request', 'true').send(stale);
    expect([409, 422]).toContain(res.status);
    expect(problemOf(res.text)).toMatch(new RegExp(`<strong>Nothing was saved.</strong> Job ${job.number} is cancelled`));
    expect(await jobsAndLedger(t.db, actor)).toEqual(before);
  });

  it('shows why when a step is posted on a closed job', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 1, { release: true });
    const page = `/jobs/${job.number}`;
    const step2 = `${page}/steps/2`;
    const stale = await staleForm(page, step2, { do: 'complete', quantity: '1' });
    await cancelJob(t.db, actor, job.id);
    const res = await ops.post(step2).type('form').set('HX-Request', 'true').send(stale);
    expect([409, 422]).toContain(res.status);
    expect(problemOf(res.text)).toMatch(new RegExp(`Job ${job.number} is cancelled`));
  });
});
