import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { rowCounts } from './support/counts';
import { readPartsCsv } from '../../server/http/parts-csv-input';

// The CSV import runs each new part through the same schema as POST /parts: what the form and
// the API refuse, the import refuses too, by row and column, and stores nothing.
let t: TestDb;
let app: Express;
let c: Awaited<ReturnType<typeof givenApiClient>>;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  c = await givenApiClient(t.db, app);
  await c.post('/api/v1/locations', { code: 'MAIN', name: 'Main store', warehouse: 'HQ' });
}, 60_000);
afterAll(async () => { await t.close(); });

const HEADER = 'sku,name,source,location,quantity,unit_cost';
const importCsv = (csv: string) => request(app).post('/api/v1/parts/import').set('Authorization', `Bearer ${c.key}`).type('text/csv').send(csv);
const fieldsOf = (res: request.Response) => res.body.error.fields.map((f: { message: string }) => f.message);

describe('parts CSV import: the POST /parts rules', () => {
  it('refuses what POST /parts refuses, naming each row and column in words, and stores nothing', async () => {
    const before = await rowCounts(t.db);
    const csv = [HEADER,
      `GOOD-1,${'x'.repeat(500)},,,,`,
      '=cmd|calc,Formula,,,,',
      '../etc/passwd,Traversal,,,,',
      '<b>X</b>,Markup,,,,',
      'GOOD-2,Robot part,robot,,,',
      'GOOD-3,Fine,,MAIN,1,0.5'].join('\n');
    const res = await importCsv(csv).expect(422);
    expect(fieldsOf(res)).toEqual([
      'Row 2 · name: is too long (200 characters at most)',
      'Row 3 · sku: SKU may use letters, digits and . _ - /',
      'Row 4 · sku: SKU may use letters, digits and . _ - /',
      'Row 5 · sku: SKU may use letters, digits and . _ - /',
      'Row 6 · source: must be bought, made or both',
    ]);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('the same rule as POST /parts, which refuses the same name', async () => {
    const res = await c.post('/api/v1/parts', { sku: 'GOOD-1', name: 'x'.repeat(500) }).expect(422);
    expect(res.body.error.fields[0].field).toBe('name');
  });

  it('refuses rows for unknown parts without a name, and imports good rows once', async () => {
    expect(fieldsOf(await importCsv([HEADER, 'NEW-9,,,MAIN,1,1'].join('\n')).expect(422))).toEqual(['Row 2 · name: is required: NEW-9 is a new part']);
    const ok = await importCsv([HEADER, 'GOOD-3,Fine,,MAIN,2,0.5', 'GOOD-3,,,MAIN,1,0.5', 'GOOD-4,Made one,made,,,'].join('\n')).expect(201);
    expect(ok.body).toMatchObject({ parts_created: 2, stock_lines: 2 });
    const part = (await c.get('/api/v1/parts/GOOD-3').expect(200)).body;
    expect(part.figures).toMatchObject({ on_hand: '3', value: '1.50' });
    const made = await t.db('parts').where({ sku: 'GOOD-4' }).first('source', 'stock_role');
    expect(made).toEqual({ source: 'made', stock_role: 'finished_goods' });
  });

  it('lists the first 100 problems of a file wrong throughout, in row order, and counts the rest', async () => {
    const before = await rowCounts(t.db);
    const rows = Array.from({ length: 250 }, (_, i) => `GONE-${i + 1},,,MAIN,1,1`);
    const res = await importCsv([HEADER, ...rows].join('\n')).expect(422);
    expect(res.body.error.message).toBe('The CSV has 250 problem(s); nothing was imported');
    const listed = fieldsOf(res);
    expect(listed).toHaveLength(101);
    expect(listed[0]).toBe('Row 2 · name: is required: GONE-1 is a new part');
    expect(listed[99]).toBe('Row 101 · name: is required: GONE-100 is a new part');
    expect(listed[100]).toBe('and 150 more problem(s) not listed here; fix these and import again to see them');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('reads the rows without any database: row problems come before any check of what is stored', () => {
    expect(() => readPartsCsv('sku,name\nA B,Part\n')).toThrow('The CSV has 1 problem(s); nothing was imported');
  });
});
