import { openTestDb, TestDb } from '../../support/db';
import { givenPart } from '../../support/builders';
import { dec } from '../../../server/domain/decimal';
import { Invalid, NotFound } from '../../../server/errors';
import { saveBom, addBomLine, removeBomLine } from '../../../server/services/boms/save-bom';
import { getBom, listAssemblies } from '../../../server/services/boms/views';
import { bomLine, givenPumpParts, storedBoms, sourceOf } from './support';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e) => e);

describe('saving a BOM', () => {
  it('stores the lines in order, marks a bought assembly as both, and replaces them on the next save', async () => {
    const actor = await givenPumpParts(t.db);
    const bom = await saveBom(t.db, actor, 'MOTOR', [
      bomLine('STATOR', 1, { step: 10 }),
      bomLine('BEARING', 2, { attritionPct: dec('2.5'), step: 20, note: 'B1, B2' }),
      bomLine('SHEET', '0.35', { optional: true }),
    ]);
    expect(bom.lines.map((l) => [l.position, l.component, l.qty_per, l.attrition_pct, l.step, l.optional, l.note])).toEqual([
      [1, 'STATOR', '1', '0', 10, false, ''],
      [2, 'BEARING', '2', '2.5', 20, false, 'B1, B2'],
      [3, 'SHEET', '0.35', '0', null, true, ''],
    ]);
    expect(await sourceOf(t.db, actor, 'MOTOR')).toBe('both');

    await saveBom(t.db, actor, 'MOTOR', [bomLine('BEARING', 4), bomLine('STATOR', 1)]);
    expect(await storedBoms(t.db, actor)).toEqual(['MOTOR > BEARING x 4', 'MOTOR > STATOR x 1']);
    await saveBom(t.db, actor, 'PUMP', [bomLine('MOTOR', 1)]);
    expect(await listAssemblies(t.db, actor.tenantId)).toEqual([
      { sku: 'MOTOR', name: 'Part MOTOR', unit: 'each', source: 'both', lines: 2, top_level: false },
      { sku: 'PUMP', name: 'Part PUMP', unit: 'each', source: 'both', lines: 1, top_level: true },
    ]);
    expect((await getBom(t.db, actor.tenantId, 'PUMP')).lines[0]).toMatchObject({ component: 'MOTOR', has_bom: true });
  });

  it('keeps a made part made, takes a component by barcode, and removes the BOM when saved with no lines', async () => {
    const actor = await givenPumpParts(t.db);
    await givenPart(t.db, actor, 'GEARBOX', { source: 'made' });
    await givenPart(t.db, actor, 'GEAR', { barcode: '5012345678900' });
    const bom = await saveBom(t.db, actor, 'GEARBOX', [bomLine('5012345678900', 3)]);
    expect(bom.lines.map((l) => l.component)).toEqual(['GEAR']);
    expect(await sourceOf(t.db, actor, 'GEARBOX')).toBe('made');
    expect((await saveBom(t.db, actor, 'GEARBOX', [])).lines).toEqual([]);
    expect(await storedBoms(t.db, actor)).toEqual([]);
  });

  it('refuses a line that would make a loop, with the path that loops, and changes nothing', async () => {
    const actor = await givenPumpParts(t.db);
    await saveBom(t.db, actor, 'PUMP', [bomLine('MOTOR', 1)]);
    await saveBom(t.db, actor, 'MOTOR', [bomLine('CASING', 1)]);
    const before = await storedBoms(t.db, actor);
    const err = await refusal(saveBom(t.db, actor, 'CASING', [bomLine('BOLT', 4), bomLine('PUMP', 1)]));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.1.component', message: 'Adding PUMP under CASING makes a loop: CASING > PUMP > MOTOR > CASING' }]);
    expect(await storedBoms(t.db, actor)).toEqual(before);
    expect(await sourceOf(t.db, actor, 'CASING')).toBe('bought');
  });

  it('refuses a part as a component of itself, an unknown SKU and bad numbers, each at its field, all at once', async () => {
    const actor = await givenPumpParts(t.db);
    const err = await refusal(saveBom(t.db, actor, 'PUMP', [
      bomLine('PUMP', 1),
      bomLine('NOPE-9', 1),
      bomLine('BOLT', 0),
      bomLine('SHEET', '0.0000001', { attritionPct: dec(1000), step: 1000 }),
    ]));
    expect(err.fields).toEqual([
      { field: 'lines.0.component', message: 'PUMP cannot be a component of itself' },
      { field: 'lines.1.component', message: 'Unknown part NOPE-9' },
      { field: 'lines.2.qty_per', message: 'Quantity of BOLT per PUMP must be greater than zero (got 0)' },
      { field: 'lines.3.qty_per', message: 'Quantity of SHEET per PUMP has too many decimal places (at most 6)' },
      { field: 'lines.3.attrition_pct', message: 'Attrition of SHEET must be a percentage from 0 to below 1000, with at most 4 decimal places (got 1000)' },
      { field: 'lines.3.step', message: 'Step must be a whole number from 1 to 999, or left blank (got 1000)' },
    ]);
    expect(await storedBoms(t.db, actor)).toEqual([]);
  });

  it('answers 404 for an assembly that does not exist', async () => {
    const actor = await givenPumpParts(t.db);
    const err = await refusal(saveBom(t.db, actor, 'NOPE', [bomLine('BOLT', 1)]));
    expect(err).toBeInstanceOf(NotFound);
    expect(err.message).toBe('Part NOPE was not found');
  });

  it('adds a line at the end and removes one, naming a refused new line\'s fields plainly', async () => {
    const actor = await givenPumpParts(t.db);
    await saveBom(t.db, actor, 'PUMP', [bomLine('MOTOR', 1)]);
    await saveBom(t.db, actor, 'MOTOR', [bomLine('STATOR', 1)]);
    const added = await addBomLine(t.db, actor, 'PUMP', bomLine('BOLT', 8, { step: 30 }));
    expect(added.lines.map((l) => [l.position, l.component])).toEqual([[1, 'MOTOR'], [2, 'BOLT']]);
    const err = await refusal(addBomLine(t.db, actor, 'STATOR', bomLine('PUMP', 1)));
    expect(err.fields).toEqual([{ field: 'component', message: 'Adding PUMP under STATOR makes a loop: STATOR > PUMP > MOTOR > STATOR' }]);
    const removed = await removeBomLine(t.db, actor, 'PUMP', added.lines[0].id);
    expect(removed.lines.map((l) => [l.position, l.component])).toEqual([[1, 'BOLT']]);
    // A second tap on the same remove button changes nothing.
    expect((await removeBomLine(t.db, actor, 'PUMP', added.lines[0].id)).lines).toHaveLength(1);
  });

  it('replays an add-line form sent twice with the same one-time key', async () => {
    const actor = await givenPumpParts(t.db);
    const claim = { key: 'form:add-1', requestHash: 'h1' };
    await addBomLine(t.db, actor, 'PUMP', bomLine('BOLT', 8), claim);
    await addBomLine(t.db, actor, 'PUMP', bomLine('BOLT', 8), claim);
    expect(await storedBoms(t.db, actor)).toEqual(['PUMP > BOLT x 8']);
  });

  it('lets only one of two saves at the same moment close a loop between them', async () => {
    const actor = await givenPumpParts(t.db);
    // Three pairs raced in turn: without the BOM lock at least one race lets both saves in.
    for (const [a, b] of [['PUMP', 'MOTOR'], ['CASING', 'BOLT'], ['STATOR', 'BEARING']]) {
      const results = await Promise.allSettled([saveBom(t.db, actor, a, [bomLine(b, 1)]), saveBom(t.db, actor, b, [bomLine(a, 1)])]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason.message).toMatch(new RegExp(`makes a loop: (${a} > ${b} > ${a}|${b} > ${a} > ${b})`));
    }
    expect(await storedBoms(t.db, actor)).toHaveLength(3);
  });
});
