import { openTestDb, TestDb } from '../../support/db';
import { Invalid } from '../../../server/errors';
import { saveBom } from '../../../server/services/boms/save-bom';
import { importBoms, BOM_CSV_COLUMNS } from '../../../server/services/boms/import-boms';
import { exportBoms } from '../../../server/services/boms/export-boms';
import { bomLine, givenPumpParts, storedBoms, sourceOf } from './support';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const HEADER = BOM_CSV_COLUMNS.join(',');
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e) => e);

describe('importing BOMs from CSV', () => {
  it('replaces the BOM of each parent named, in row order, and leaves other assemblies alone', async () => {
    const actor = await givenPumpParts(t.db);
    await saveBom(t.db, actor, 'CASING', [bomLine('BOLT', 4)]);
    await saveBom(t.db, actor, 'MOTOR', [bomLine('BOLT', 99)]);
    const result = await importBoms(t.db, actor, csv(
      'PUMP,MOTOR,1,20,,no,',
      'MOTOR,STATOR,1,,,,',
      'PUMP,CASING,1,10,,FALSE,',
      'MOTOR,BEARING,2,,5,,"B1, B2"',
      'PUMP,MANUAL,1,,,yes,',
    ));
    expect(result).toEqual({ assemblies: 2, lines: 5, boms: [{ sku: 'PUMP', lines: 3 }, { sku: 'MOTOR', lines: 2 }] });
    expect(await storedBoms(t.db, actor)).toEqual([
      'CASING > BOLT x 4', 'MOTOR > STATOR x 1', 'MOTOR > BEARING x 2', 'PUMP > MOTOR x 1', 'PUMP > CASING x 1', 'PUMP > MANUAL x 1',
    ]);
    expect(await sourceOf(t.db, actor, 'PUMP')).toBe('both');
    const motor = await t.db('bom_lines as l').join('parts as c', (j) => j.on('c.id', 'l.component_part_id').andOn('c.tenant_id', 'l.tenant_id'))
      .where({ 'l.tenant_id': actor.tenantId, 'c.sku': 'BEARING' }).first('l.attrition_pct', 'l.note', 'l.optional', 'l.step');
    expect({ ...motor, attrition_pct: Number(motor.attrition_pct) }).toEqual({ attrition_pct: 5, note: 'B1, B2', optional: false, step: null });
  });

  it('reports every problem with its row and column, and stores nothing', async () => {
    const actor = await givenPumpParts(t.db);
    await saveBom(t.db, actor, 'CASING', [bomLine('BOLT', 4)]);
    const before = await storedBoms(t.db, actor);
    const err = await refusal(importBoms(t.db, actor, csv(
      'PUMP,CASING,1,10,,,',
      'PUMP,NOPE-9,1,,,,',
      'PUMP,BOLT,-2,,,,',
      'NOPE-1,BOLT,1,,,,',
      ',BOLT,1,,,,',
      'MOTOR,STATOR,1,0,1000,maybe,',
      'MOTOR,MOTOR,1,,,,',
      'MOTOR,BEARING,ten,,,,',
    )));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.message).toBe('The CSV has 9 problem(s); nothing was imported');
    expect(err.fields.map((f: { message: string }) => f.message)).toEqual([
      'row 3, component_sku: Unknown part NOPE-9',
      'row 4, quantity: must be greater than zero',
      'row 5, parent_sku: Unknown part NOPE-1',
      'row 6, parent_sku: is required: the assembly this line belongs to',
      'row 7, step: must be a whole number from 1 to 999, or blank (got "0")',
      'row 7, optional: must be yes or no (got "maybe")',
      'row 7, attrition_pct: Attrition of STATOR must be a percentage from 0 to below 1000, with at most 4 decimal places (got 1000)',
      'row 8, component_sku: MOTOR cannot be a component of itself',
      'row 9, quantity: must be a number (got "ten")',
    ]);
    expect(err.fields[0].field).toBe('row 3, component_sku');
    expect(await storedBoms(t.db, actor)).toEqual(before);
    expect(await sourceOf(t.db, actor, 'PUMP')).toBe('bought');
  });

  it('checks loops over all the BOMs as they would be after the import, not one at a time', async () => {
    const actor = await givenPumpParts(t.db);
    await saveBom(t.db, actor, 'MOTOR', [bomLine('STATOR', 1)]);
    await saveBom(t.db, actor, 'STATOR', [bomLine('BOLT', 1)]);
    // STATOR's new BOM no longer holds BOLT, so BOLT may now use MOTOR: no loop once both are in.
    const ok = await importBoms(t.db, actor, csv('BOLT,MOTOR,1,,,,', 'STATOR,SHEET,0.5,,,,'));
    expect(ok.assemblies).toBe(2);
    // A loop of lines that are all in the file is reported once, at one of its rows.
    const before = await storedBoms(t.db, actor);
    const err = await refusal(importBoms(t.db, actor, csv('PUMP,CASING,1,,,,', 'CASING,MANUAL,1,,,,', 'MANUAL,PUMP,1,,,,')));
    expect(err.fields).toHaveLength(1);
    expect(err.fields[0].message).toMatch(/^row \d, component_sku: Adding \w+ under \w+ makes a loop: (PUMP > CASING > MANUAL > PUMP|CASING > MANUAL > PUMP > CASING|MANUAL > PUMP > CASING > MANUAL)$/);
    expect(await storedBoms(t.db, actor)).toEqual(before);
  });

  it('refuses a CSV with an unknown or missing column, or no rows, before reading any', async () => {
    const actor = await givenPumpParts(t.db);
    const unknown = await refusal(importBoms(t.db, actor, 'parent_sku,component_sku,quantity,colour\nPUMP,BOLT,1,red'));
    expect(unknown.fields).toEqual([{ field: 'csv', message: `Unknown column(s): colour; the columns are ${BOM_CSV_COLUMNS.join(', ')}` }]);
    const missing = await refusal(importBoms(t.db, actor, 'parent_sku,component_sku\nPUMP,BOLT'));
    expect(missing.fields[0].message).toMatch(/^Missing column\(s\): quantity;/);
    const empty = await refusal(importBoms(t.db, actor, `${HEADER}\n`));
    expect(empty.fields[0].message).toBe('The CSV has no data rows under its header');
    const broken = await refusal(importBoms(t.db, actor, `${HEADER}\nPUMP,"BOLT,1`));
    expect(broken.fields[0].message).toMatch(/^The CSV could not be read/);
  });
});

describe('exporting BOMs to CSV', () => {
  it('writes the import\'s columns, and what it writes imports back unchanged', async () => {
    const actor = await givenPumpParts(t.db);
    await importBoms(t.db, actor, csv(
      'PUMP,MOTOR,1,20,,no,',
      'PUMP,CASING,1,10,,no,',
      'PUMP,MANUAL,1,,,yes,"Quick start, EN"',
      'MOTOR,BEARING,2,,2.5,,B1',
      'CASING,SHEET,0.35,10,10,,',
    ));
    const exported = await exportBoms(t.db, actor.tenantId);
    expect(exported).toBe([
      HEADER,
      'CASING,SHEET,0.35,10,10,no,',
      'MOTOR,BEARING,2,,2.5,no,B1',
      'PUMP,MOTOR,1,20,0,no,',
      'PUMP,CASING,1,10,0,no,',
      'PUMP,MANUAL,1,,0,yes,"Quick start, EN"',
      '',
    ].join('\n'));

    const other = await givenPumpParts(t.db);
    await importBoms(t.db, other, exported);
    // Every column survives the trip: the second organisation exports the very same text.
    expect(await exportBoms(t.db, other.tenantId)).toBe(exported);
    expect(await storedBoms(t.db, other)).toEqual(await storedBoms(t.db, actor));
  });
});
