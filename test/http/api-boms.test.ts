import request from 'supertest';
import { givenApiClient } from '../support/app';
import { givenPart } from '../support/builders';
import { documentedApi } from './support/documented-api';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { postStockEvent } from '../../server/services/stock/post-event';

const t = documentedApi();
const { expectDocumented } = t;

const PARTS = ['PUMP', 'MOTOR', 'STATOR', 'BEARING', 'BOLT'];

/** An API client of the given role in an organisation with the pump's parts and 10 bolts on hand. */
async function client(role: 'admin' | 'operations' | 'bookkeeper' = 'admin') {
  const c = await givenApiClient(t.db, t.app, role);
  for (const sku of PARTS) await givenPart(t.db, c.actor, sku);
  await postStockEvent(t.db, c.actor, { kind: 'opening_balance', occurredOn: today(), lines: [{ part: 'BOLT', location: 'MAIN', quantity: dec(10), unitCost: dec('0.20') }] });
  const put = (sku: string, body: unknown) => request(t.app).put(`/api/v1/boms/${encodeURIComponent(sku)}`).set('Authorization', `Bearer ${c.key}`).send(body as object);
  return { ...c, put };
}

describe('bills of materials over /api/v1', () => {
  it('saves BOMs, lists them, shows the tree with stock and where a part is used', async () => {
    const c = await client('operations');
    const motor = await c.put('MOTOR', { lines: [{ component: 'STATOR', qty_per: '1', step: 10 }, { component: 'BEARING', qty_per: 2, attrition_pct: '5', note: 'B1 B2' }] }).expect(200);
    expectDocumented(motor, 'put', '/boms/{sku}');
    expect(motor.body.lines.map((l: any) => [l.component, l.qty_per, l.attrition_pct, l.step])).toEqual([['STATOR', '1', '0', 10], ['BEARING', '2', '5', null]]);
    expectDocumented(await c.put('PUMP', { lines: [{ component: 'MOTOR', qty_per: '1' }, { component: 'BOLT', qty_per: '4', optional: false }] }).expect(200), 'put', '/boms/{sku}');

    const list = await c.get('/api/v1/boms').expect(200);
    expectDocumented(list, 'get', '/boms');
    expect(list.body.assemblies.map((a: any) => [a.sku, a.lines, a.top_level, a.source])).toEqual([['MOTOR', 2, false, 'both'], ['PUMP', 2, true, 'both']]);
    expectDocumented(await c.get('/api/v1/boms/PUMP').expect(200), 'get', '/boms/{sku}');
    expectDocumented(await c.get('/api/v1/boms/BOLT').expect(200), 'get', '/boms/{sku}'); // no BOM yet: no lines

    const tree = await c.get('/api/v1/boms/PUMP/tree?quantity=3').expect(200);
    expectDocumented(tree, 'get', '/boms/{sku}/tree');
    expect(tree.body.nodes.map((n: any) => [n.sku, n.level, n.required, n.available, n.short])).toEqual([
      ['PUMP', 0, '3', '0', false], ['MOTOR', 1, '3', '0', true], ['STATOR', 2, '3', '0', true], ['BEARING', 2, '6.3', '0', true], ['BOLT', 1, '12', '10', true],
    ]);
    expect((await c.get('/api/v1/boms/PUMP/tree').expect(200)).body.quantity).toBe('1');

    const used = await c.get('/api/v1/parts/BEARING/where-used').expect(200);
    expectDocumented(used, 'get', '/parts/{sku}/where-used');
    expect(used.body.used_in.map((u: any) => [u.sku, u.level, u.path, u.quantity])).toEqual([['MOTOR', 1, ['MOTOR', 'BEARING'], '2.1'], ['PUMP', 2, ['PUMP', 'MOTOR', 'BEARING'], '2.1']]);
  });

  it('refuses bad input with 422 naming each field, a loop with its path, and unknown parts with 404', async () => {
    const c = await client();
    await c.put('PUMP', { lines: [{ component: 'MOTOR', qty_per: '1' }] }).expect(200);
    const loop = await c.put('MOTOR', { lines: [{ component: 'BOLT', qty_per: '1' }, { component: 'PUMP', qty_per: '1' }] }).expect(422);
    expectDocumented(loop, 'put', '/boms/{sku}');
    expect(loop.body.error.fields).toEqual([{ field: 'lines.1.component', message: 'Adding PUMP under MOTOR makes a loop: MOTOR > PUMP > MOTOR' }]);

    const shape = await c.put('MOTOR', { lines: [{ component: '', qty_per: 'ten', attrition_pct: '-1', step: 1.5, optional: 'maybe', colour: 'red' }] }).expect(422);
    expectDocumented(shape, 'put', '/boms/{sku}');
    expect(shape.body.error.fields.map((f: any) => f.field).sort()).toEqual(['lines.0', 'lines.0.attrition_pct', 'lines.0.component', 'lines.0.optional', 'lines.0.qty_per', 'lines.0.step']);

    const service = await c.put('MOTOR', { lines: [{ component: 'MOTOR', qty_per: '1' }, { component: 'NOPE-9', qty_per: '1' }, { component: 'BOLT', qty_per: '1', attrition_pct: '1000' }] }).expect(422);
    expect(service.body.error.fields).toEqual([
      { field: 'lines.0.component', message: 'MOTOR cannot be a component of itself' },
      { field: 'lines.1.component', message: 'Unknown part NOPE-9' },
      { field: 'lines.2.attrition_pct', message: expect.stringMatching(/^Attrition of BOLT must be a percentage from 0 to below 1000/) },
    ]);
    expect((await c.get('/api/v1/boms/MOTOR').expect(200)).body.lines).toEqual([]);

    expectDocumented(await c.put('NOPE', { lines: [] }).expect(404), 'put', '/boms/{sku}');
    expectDocumented(await c.get('/api/v1/boms/NOPE/tree').expect(404), 'get', '/boms/{sku}/tree');
    expectDocumented(await c.get('/api/v1/parts/NOPE/where-used').expect(404), 'get', '/parts/{sku}/where-used');
    const half = await c.get('/api/v1/boms/PUMP/tree?quantity=1.5').expect(422);
    expectDocumented(half, 'get', '/boms/{sku}/tree');
    expect(half.body.error.fields).toEqual([{ field: 'quantity', message: 'PUMP is built in whole each; 1.5 is not a whole number' }]);
    expect((await c.get('/api/v1/boms/PUMP/tree?quantity=-2').expect(422)).body.error.fields[0].field).toBe('quantity');
  });

  it('imports CSV (as text/csv or JSON) all or nothing, and exports what imports back', async () => {
    const c = await client();
    const csv = 'parent_sku,component_sku,quantity,step,attrition_pct,optional,note\nPUMP,MOTOR,1,10,,no,\nMOTOR,STATOR,1,,,,\nMOTOR,BEARING,2,,5,,"B1, B2"\n';
    const imported = await request(t.app).post('/api/v1/boms/import').set('Authorization', `Bearer ${c.key}`).type('text/csv').send(csv).expect(200);
    expectDocumented(imported, 'post', '/boms/import');
    expect(imported.body).toEqual({ assemblies: 2, lines: 3, boms: [{ sku: 'PUMP', lines: 1 }, { sku: 'MOTOR', lines: 2 }] });

    const exported = await c.get('/api/v1/boms/export').expect(200);
    expect(exported.type).toBe('text/csv');
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="?boms.csv"?$/);
    expect(exported.text).toBe('parent_sku,component_sku,quantity,step,attrition_pct,optional,note\nMOTOR,STATOR,1,,0,no,\nMOTOR,BEARING,2,,5,no,"B1, B2"\nPUMP,MOTOR,1,10,0,no,\n');
    const again = await c.post('/api/v1/boms/import', { csv: exported.text }).expect(200);
    expect(again.body.lines).toBe(3);
    expect((await c.get('/api/v1/boms/export').expect(200)).text).toBe(exported.text);

    const bad = await c.post('/api/v1/boms/import', { csv: 'parent_sku,component_sku,quantity\nPUMP,NOPE,1\nSTATOR,PUMP,0\n' }).expect(422);
    expectDocumented(bad, 'post', '/boms/import');
    expect(bad.body.error.fields.map((f: any) => f.field)).toEqual(['row 2, component_sku', 'row 3, quantity']);
    expect((await c.get('/api/v1/boms/export').expect(200)).text).toBe(exported.text);
    expect((await c.post('/api/v1/boms/import', { csv: '' }).expect(422)).body.error.fields[0].field).toBe('csv');
  });

  it('lets a bookkeeper read BOMs but not change them', async () => {
    const c = await client('bookkeeper');
    expectDocumented(await c.get('/api/v1/boms').expect(200), 'get', '/boms');
    expectDocumented(await c.put('PUMP', { lines: [] }).expect(403), 'put', '/boms/{sku}');
    const refused = await request(t.app).post('/api/v1/boms/import').set('Authorization', `Bearer ${c.key}`).type('text/csv').send('parent_sku,component_sku,quantity\nPUMP,BOLT,1\n').expect(403);
    expectDocumented(refused, 'post', '/boms/import');
    expectDocumented(await request(t.app).get('/api/v1/boms').expect(401), 'get', '/boms');
  });
});
