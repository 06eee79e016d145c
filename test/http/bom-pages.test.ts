import { csrfOf } from './support/session';
import { signedUpApp } from './support/signed-up-app';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { createPart } from '../../server/services/catalogue';
import { postStockEvent } from '../../server/services/stock/post-event';

const t = signedUpApp({ organisation: 'Pump Works', name: 'Max Maker', email: 'max@example.com' });
beforeAll(async () => {
  for (const sku of ['PUMP', 'MOTOR', 'STATOR', 'BEARING', 'BOLT', 'CASING']) await createPart(t.db, t.actor.tenantId, { sku, name: `Part ${sku}` });
  await postStockEvent(t.db, t.actor, { kind: 'opening_balance', occurredOn: today(), lines: [{ part: 'BOLT', location: 'MAIN', quantity: dec(10), unitCost: dec('0.20') }] });
});

const token = async (path = '/boms') => csrfOf((await t.agent.get(path).expect(200)).text);
const blankLine = { component: '', qty_per: '', attrition_pct: '', step: '', note: '' };
const addLine = async (sku: string, line: Partial<typeof blankLine> & { optional?: string }) =>
  t.agent.post(`/boms/${sku}/lines`).type('form').send({ ...blankLine, ...line, _csrf: await token(`/boms/${sku}`) });
async function storedLines(parent: string): Promise<string[]> {
  const rows = await t.db('bom_lines as l').join('parts as p', (j) => j.on('p.id', 'l.parent_part_id').andOn('p.tenant_id', 'l.tenant_id'))
    .join('parts as c', (j) => j.on('c.id', 'l.component_part_id').andOn('c.tenant_id', 'l.tenant_id'))
    .where({ 'l.tenant_id': t.actor.tenantId, 'p.sku': parent }).orderBy('l.position').select('c.sku', 'l.qty_per');
  return rows.map((r) => `${r.sku} x ${dec(r.qty_per).toFixed()}`);
}

describe('BOM pages', () => {
  it('lists assemblies with the import form and export link, with BOMs in the menu, and opens any part\'s BOM', async () => {
    const page = (await t.agent.get('/boms').expect(200)).text;
    expect(page).toContain('<a href="/boms" aria-current="page">BOMs</a>');
    expect(page).toContain('No BOMs yet');
    expect(page).toContain('action="/boms/import"');
    expect(page).toContain('href="/boms/export"');
    expect(page).toContain('<code>parent_sku,component_sku,quantity,step,attrition_pct,optional,note</code>');
    expect((await t.agent.get('/boms?sku=BOLT').expect(303)).headers.location).toBe('/boms/BOLT');
    const empty = (await t.agent.get('/boms/BOLT').expect(200)).text;
    expect(empty).toContain('No lines yet');
    expect(empty).toContain('No BOM uses BOLT.');
    await t.agent.get('/boms/NOPE').expect(404);
  });

  it('refuses a form without its CSRF token', async () => {
    await t.agent.post('/boms/PUMP/lines').type('form').send({ ...blankLine, component: 'BOLT', qty_per: '1' }).expect(403);
    expect(await storedLines('PUMP')).toEqual([]);
  });

  it('adds lines from the form, shows the tree with stock and a short mark, and removes a line', async () => {
    const added = await addLine('PUMP', { component: 'MOTOR', qty_per: '1', step: '20' });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe('/boms/PUMP');
    await addLine('PUMP', { component: 'BOLT', qty_per: '4', attrition_pct: '5', note: 'M8', optional: 'on' }).then((r) => expect(r.status).toBe(303));
    await addLine('PUMP', { component: 'BOLT', qty_per: '2' }).then((r) => expect(r.status).toBe(303));
    await addLine('MOTOR', { component: 'STATOR', qty_per: '1' }).then((r) => expect(r.status).toBe(303));
    expect(await storedLines('PUMP')).toEqual(['MOTOR x 1', 'BOLT x 4', 'BOLT x 2']);

    const page = (await t.agent.get('/boms/PUMP?quantity=6').expect(200)).text;
    expect(page).toMatch(/<tr data-sku="BOLT" data-level="1" class="short">[\s\S]*?<span class="badge status-failed"[^>]*>short<\/span>[\s\S]*?<td class="num out">10<\/td>/);
    expect(page).toMatch(/<tr data-sku="STATOR" data-level="2" class="short">/);
    expect(page).toMatch(/<tr data-sku="BOLT" data-level="1" >[\s\S]*?<span class="tag">optional<\/span>/);
    expect(page).toContain('Short to build 6 each: <strong>MOTOR</strong>, <strong>STATOR</strong>, <strong>BOLT</strong>.');
    expect(page).toContain('name="quantity" value="6"');

    // The build quantity box asks htmx for the tree alone.
    const fragment = await t.agent.get('/boms/PUMP?quantity=2').set('HX-Request', 'true').expect(200);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toMatch(/^<table class="grid bom-tree">|class="grid bom-tree"/);
    expect(fragment.headers.vary).toMatch(/HX-Request/);
    const bad = await t.agent.get('/boms/PUMP?quantity=1.5').set('HX-Request', 'true').expect(422);
    expect(bad.text).toContain('PUMP is built in whole each; 1.5 is not a whole number');

    const lineId = (await t.db('bom_lines').where({ tenant_id: t.actor.tenantId, position: 3 }).whereIn('parent_part_id', t.db('parts').where({ tenant_id: t.actor.tenantId, sku: 'PUMP' }).select('id')).first('id')).id;
    const removed = await t.agent.post(`/boms/PUMP/lines/${lineId}/remove`).type('form').send({ _csrf: await token('/boms/PUMP') }).expect(303);
    expect(removed.headers.location).toBe('/boms/PUMP');
    expect(await storedLines('PUMP')).toEqual(['MOTOR x 1', 'BOLT x 4']);
  });

  it('shows a loop and bad numbers beside their boxes, keeps what was typed, and stores nothing', async () => {
    await addLine('CASING', { component: 'BOLT', qty_per: '4' });
    await addLine('BEARING', { component: 'CASING', qty_per: '1' });
    const loop = await addLine('CASING', { component: 'BEARING', qty_per: '1' });
    expect(loop.status).toBe(422);
    expect(loop.text).toContain('<small class="error" id="e-component" role="alert">Adding BEARING under CASING makes a loop: CASING &gt; BEARING &gt; CASING</small>');
    expect(loop.text).toContain('name="component" id="f-component" value="BEARING"');
    expect(loop.text).toContain('Nothing was saved.');

    const self = await addLine('CASING', { component: 'CASING', qty_per: 'ten', step: '1000' });
    expect(self.status).toBe(422);
    expect(self.text).toContain('<small class="error" id="e-qty_per" role="alert">must be a number (got &quot;ten&quot;)</small>');
    expect(self.text).toContain('<small class="error" id="e-step" role="alert">must be a whole number from 1 to 999, or left blank</small>');
    const unknown = await addLine('CASING', { component: 'NOPE-9', qty_per: '1' });
    expect(unknown.text).toContain('<small class="error" id="e-component" role="alert">Unknown part NOPE-9</small>');
    expect(await storedLines('CASING')).toEqual(['BOLT x 4']);
  });

  it('imports a pasted or uploaded CSV, reports a bad one by row and column, and exports', async () => {
    const pasted = await t.agent.post('/boms/import').type('form')
      .send({ _csrf: await token(), csv: 'parent_sku,component_sku,quantity,step\nMOTOR,STATOR,1,10\nMOTOR,BEARING,2,20\n' }).expect(200);
    expect(pasted.text).toContain('Imported 1 BOM(s), 2 line(s)');
    expect(await storedLines('MOTOR')).toEqual(['STATOR x 1', 'BEARING x 2']);

    const uploaded = await t.agent.post('/boms/import').set('X-CSRF-Token', await token())
      .attach('file', Buffer.from('parent_sku,component_sku,quantity\nSTATOR,BOLT,3\n'), { filename: 'boms.csv', contentType: 'text/csv' }).expect(200);
    expect(uploaded.text).toContain('<a href="/boms/STATOR">STATOR</a> (1 line(s))');

    const bad = await t.agent.post('/boms/import').type('form').send({ _csrf: await token(), csv: 'parent_sku,component_sku,quantity\nMOTOR,NOPE,1\nBOLT,PUMP,0\n' }).expect(422);
    expect(bad.text).toContain('row 2, component_sku: Unknown part NOPE');
    expect(bad.text).toContain('row 3, quantity: must be greater than zero');
    expect(await storedLines('MOTOR')).toEqual(['STATOR x 1', 'BEARING x 2']);

    const csv = await t.agent.get('/boms/export').expect(200);
    expect(csv.type).toBe('text/csv');
    expect(csv.text.split('\n')).toContain('MOTOR,BEARING,2,20,0,no,');
  });

  it('shows where a part is used, to every level', async () => {
    const page = (await t.agent.get('/parts/STATOR/where-used').expect(200)).text;
    expect(page).toContain('Where STATOR is used');
    expect(page).toMatch(/<a href="\/boms\/MOTOR"><strong>MOTOR<\/strong><\/a>[\s\S]*?MOTOR › STATOR/);
    expect(page).toMatch(/PUMP › MOTOR › STATOR/);
  });
});
