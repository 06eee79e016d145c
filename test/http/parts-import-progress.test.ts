import { csrfOf, Agent } from './support/session';
import { signedUpApp } from './support/signed-up-app';
import { PART_CSV_COLUMNS } from '../../server/services/import-parts';

// The parts import page answers at once and shows the run's progress: htmx gets a fragment that
// polls itself until it shows the outcome; a browser without JavaScript is sent to a progress page
// that refreshes itself (sign-up made the MAIN location). The run is recorded in `imports`, so any web process can answer the polls.
const t = signedUpApp({ organisation: 'Progress Parts Ltd', name: 'Pat Bar', email: 'pat@example.com' });

const HEADER = PART_CSV_COLUMNS.join(',');
const row = (sku: string, name: string, qty = '', cost = '') => [sku, name, '', 'each', '', 'bought', 'none', '', '', qty ? 'MAIN' : '', qty, cost, '', ''].join(',');
const token = async () => csrfOf((await t.agent.get('/import').expect(200)).text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const idIn = (url: string) => /^\/imports\/([0-9a-f-]{36})$/.exec(url)?.[1];

/** Poll as the page does until the run is over (a bounded wait for the background run, not a timing check). */
async function untilOver(agent: Agent, path: string, htmx: boolean): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const res = agent.get(path);
    const page = (await (htmx ? res.set('HX-Request', 'true') : res).expect(200)).text;
    if (!/hx-get="\/imports\/|http-equiv="refresh"/.test(page)) return page;
    await sleep(50);
  }
  throw new Error(`${path} was still running after 600 polls`);
}

const onHand = async (sku: string) => {
  const r = await t.db('stock_balances as b').join('parts as p', 'p.id', 'b.part_id').where({ 'p.tenant_id': t.actor.tenantId, 'p.sku': sku }).first('b.on_hand');
  return r ? Number(r.on_hand) : null;
};

describe('parts import page: progress while it runs', () => {
  it('answers an htmx post at once with a fragment that polls itself, then shows the counts', async () => {
    const csv = [HEADER, row('PRG-1', 'Bolt', '10', '0.25'), row('PRG-2', 'Nut', '4', '0.10'), row('PRG-3', 'Washer')].join('\n');
    const res = await t.agent.post('/import').set('HX-Request', 'true').set('X-CSRF-Token', await token())
      .field('occurred_on', '2026-01-02').field('idempotency_key', 'progress-htmx-1')
      .attach('file', Buffer.from(csv), { filename: 'parts.csv', contentType: 'text/csv' })
      .expect(202);
    const id = idIn(res.headers['hx-push-url']);
    expect(id).toBeDefined();
    expect(res.text).toContain('id="import-run"');
    expect(res.text).not.toContain('<html');
    // Still running when answered: it polls itself; already over: it shows the outcome.
    if (res.text.includes('hx-get')) expect(res.text).toContain(`hx-get="/imports/${id}" hx-trigger="load delay:500ms" hx-swap="outerHTML"`);

    const final = await untilOver(t.agent, `/imports/${id}`, true);
    expect(final).toContain('Imported 3 part(s) and 2 stock line(s).');
    expect(final).not.toContain('<progress');
    expect(await onHand('PRG-1')).toBe(10);
    expect(await onHand('PRG-2')).toBe(4);
    const event = await t.db('stock_events').where({ tenant_id: t.actor.tenantId, kind: 'opening_balance' }).first('id', 'occurred_on');
    expect(event.occurred_on).toBe('2026-01-02');
    expect(final).toContain(`<a href="/events/${event.id}">See the opening stock</a>`);
    const journal = await t.db('journal_lines as l').join('journals as j', 'j.id', 'l.journal_id').where({ 'j.event_id': event.id }).select('l.amount');
    expect(journal.map((l) => Number(l.amount)).sort((a, b) => a - b)).toEqual([-2.9, 2.9]);
  });

  it('sends a post without JavaScript to a progress page that refreshes itself until the outcome', async () => {
    const csv = [HEADER, row('PRG-9', 'Plate', '7', '1.50')].join('\n');
    const res = await t.agent.post('/import').field('_csrf', await token()).field('occurred_on', '')
      .field('idempotency_key', 'progress-plain-1').field('csv', '')
      .attach('file', Buffer.from(csv), { filename: 'parts.csv', contentType: 'text/csv' })
      .expect(303);
    const id = idIn(res.headers.location);
    expect(id).toBeDefined();
    const final = await untilOver(t.agent, `/imports/${id}`, false);
    expect(final).toContain('<html');
    expect(final).toContain('Imported 1 part(s) and 1 stock line(s).');
    expect(await onHand('PRG-9')).toBe(7);

    // The same form sent again (same one-time key) shows the same run and imports nothing more.
    const again = await t.agent.post('/import').field('_csrf', await token()).field('idempotency_key', 'progress-plain-1')
      .attach('file', Buffer.from(csv), { filename: 'parts.csv', contentType: 'text/csv' }).expect(303);
    expect(again.headers.location).toBe(`/imports/${id}`);
    expect(await t.db('parts').where({ tenant_id: t.actor.tenantId, sku: 'PRG-9' }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('shows a refused file its problems by row and column, and stores nothing', async () => {
    const parts = Number((await t.db('parts').where({ tenant_id: t.actor.tenantId }).count({ n: '*' }).first())!.n);
    const csv = [HEADER, row('PRG-20', 'Fine', '1', '1'), row('PRG-21', '', '2', '1'), row('PRG 22', 'Spaced')].join('\n');
    const res = await t.agent.post('/import').type('form').send({ _csrf: await token(), csv }).expect(303);
    const final = await untilOver(t.agent, res.headers.location, false);
    expect(final).toContain('<strong>Nothing was imported.</strong> The CSV has 1 problem(s); nothing was imported');
    expect(final).toContain('<li>Row 4 · sku: SKU may use letters, digits and . _ - /</li>');
    expect(Number((await t.db('parts').where({ tenant_id: t.actor.tenantId }).count({ n: '*' }).first())!.n)).toBe(parts);
  });

  it('shows a running import as a bar of rows checked, polling with htmx and refreshing without JavaScript', async () => {
    const id = '6f1c9a52-3c1e-4b7a-9d55-0c3f2b8e7a10';
    await t.db('imports').insert({ tenant_id: t.actor.tenantId, id, status: 'checking', total_rows: 10000, rows_checked: 1500 });
    const fragment = (await t.agent.get(`/imports/${id}`).set('HX-Request', 'true').expect(200)).text;
    expect(fragment).toContain(`hx-get="/imports/${id}" hx-trigger="load delay:500ms" hx-swap="outerHTML"`);
    expect(fragment).toContain('<progress class="import-bar" max="10000" value="1500" aria-label="1,500 of 10,000 rows checked">');
    expect(fragment).toContain('Checking the rows: 1,500 of 10,000 checked');
    const page = (await t.agent.get(`/imports/${id}`).expect(200)).text;
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="1"></noscript>');

    await t.db('imports').where({ id }).update({ status: 'writing', rows_checked: 10000 });
    const writing = (await t.agent.get(`/imports/${id}`).set('HX-Request', 'true').expect(200)).text;
    expect(writing).toContain('Writing the parts and their opening stock: 0 of 10,000 rows written');
    expect(writing).toMatch(/<progress class="import-bar" aria-label/); // busy: no value until the write commits
  });

  it('shows a run that stopped moving long ago (its web process restarted) as stopped, with nothing imported', async () => {
    const id = '0d6f3b8e-2a41-4c5e-8f7a-93b1c2d4e5f6';
    await t.db('imports').insert({ tenant_id: t.actor.tenantId, id, status: 'writing', total_rows: 10, rows_checked: 10,
      updated_at: t.db.raw("now() - interval '1 hour'") });
    const page = (await t.agent.get(`/imports/${id}`).expect(200)).text;
    expect(page).toContain('<strong>Nothing was imported.</strong> The import stopped before it finished (the server restarted)');
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('answers 404 for an import id the organisation does not have', async () => {
    await t.agent.get('/imports/00000000-0000-4000-8000-000000000000').expect(404);
    await t.agent.get('/imports/not-an-id').expect(404);
  });
});
