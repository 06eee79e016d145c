import { dec } from '../../../server/domain/decimal';
import { BomLine, byParent } from '../../../server/domain/bom';
import { cascade, plannedOrder, LineDemand } from '../../../server/services/planning/cascade';
import { recallCsv } from '../../../server/services/trace/recall-csv';

const line = (parent: string, component: string, qty: string | number, attrition = 0): BomLine =>
  ({ parent, component, qtyPer: dec(qty), attritionPct: dec(attrition), step: null, optional: false, note: '' });
const demand = (job: string, part: string, quantity: string | number, due = '2026-12-01', topJob = job, priority = 3): LineDemand => ({ job, topJob, due, part, quantity: dec(quantity), priority });
const free = (entries: Record<string, number | string>) => new Map(Object.entries(entries).map(([k, v]) => [k, dec(v)]));
const shorts = (r: ReturnType<typeof cascade>) => r.shortages.map((s) => [s.part, s.short.toFixed(), s.blocks.map((b) => [b.job, b.topJob, b.short.toFixed()]), s.coveredBy]);

// A frame takes 2 arms; an arm takes a motor and 4 screws (10% attrition); a motor takes 3 magnets.
const BOMS = byParent([line('FRAME', 'ARM', 2), line('ARM', 'MOTOR', 1), line('ARM', 'SCREW', 4, 10), line('MOTOR', 'MAGNET', 3)]);

describe('the cascade netting', () => {
  test.each([
    ['nothing on the shelf: the whole tree explodes to leaves', {}, [['MAGNET', '12'], ['SCREW', '17.6']]],
    ['a free arm is used before its components are counted', { ARM: 1 }, [['MAGNET', '9'], ['SCREW', '13.2']]],
    ['a free motor covers a motor level lower', { MOTOR: 2 }, [['MAGNET', '6'], ['SCREW', '17.6']]],
    ['free leaves net last', { ARM: 1, MAGNET: 10, SCREW: 20 }, []],
  ])('%s', (_why, stock, expected) => {
    const r = cascade({ demand: [demand('J1', 'ARM', 4)], boms: BOMS, free: free(stock), incoming: [], wholeUnits: new Set() });
    expect(r.shortages.map((s) => [s.part, s.short.toFixed()])).toEqual(expected);
  });

  test('parts counted whole are made and needed in whole units', () => {
    const r = cascade({ demand: [demand('J1', 'ARM', '1.5')], boms: BOMS, free: new Map(), incoming: [], wholeUnits: new Set(['ARM', 'SCREW', 'MAGNET', 'MOTOR']) });
    expect(r.toMake.map((m) => [m.part, m.quantity.toFixed()])).toEqual([['ARM', '2'], ['MOTOR', '2']]);
    expect(r.shortages.map((s) => [s.part, s.short.toFixed()])).toEqual([['MAGNET', '6'], ['SCREW', '9']]); // 2 x 4 x 1.1 = 8.8
  });

  test('sub-assembly stock goes to the earliest due job; each job keeps its top job; one block per job', () => {
    const r = cascade({
      demand: [demand('J2', 'FRAME', 1, '2026-12-20'), demand('J1.1', 'ARM', 2, '2026-12-05', 'J1'), demand('J1.2', 'MOTOR', 1, '2026-12-05', 'J1')],
      boms: BOMS, free: free({ ARM: 2, SCREW: 100 }), incoming: [{ po: 'PO-1', part: 'MAGNET', quantity: dec(3), expected: '2026-12-10' }, { po: 'PO-2', part: 'MAGNET', quantity: dec(10), expected: null }],
      wholeUnits: new Set(),
    });
    // J1.1's two arms come off the shelf; J2's frame needs 2 more arms, so 2 motors, so 6 magnets; J1.2 needs 3 magnets.
    expect(shorts(r)).toEqual([['MAGNET', '9', [['J1.2', 'J1', '3'], ['J2', 'J2', '6']], 'PO-2']]);
    expect(r.toMake.map((m) => [m.part, m.jobs.map((j) => [j.job, j.quantity.toFixed()])])).toEqual([['FRAME', [['J2', '1']]], ['ARM', [['J2', '2']]], ['MOTOR', [['J1.2', '1'], ['J2', '2']]]]);
  });

  test('ties on due date go to the more urgent priority', () => {
    const r = cascade({ demand: [demand('J-A', 'SCREW', 5, '2026-12-01', 'J-A', 4), demand('J-B', 'SCREW', 5, '2026-12-01', 'J-B', 1)], boms: BOMS, free: free({ SCREW: 5 }), incoming: [], wholeUnits: new Set() });
    expect(shorts(r)).toEqual([['SCREW', '5', [['J-A', 'J-A', '5']], null]]);
  });

  test('plans a part used at two depths after every assembly above it', () => {
    const boms = byParent([line('TOP', 'MID', 1), line('TOP', 'LOW', 1), line('MID', 'LOW', 1), line('LOW', 'LEAF', 1)]);
    expect(plannedOrder(boms, ['TOP'])).toEqual(['TOP', 'MID', 'LOW']);
    const r = cascade({ demand: [demand('J', 'TOP', 1)], boms, free: free({ LOW: 1 }), incoming: [], wholeUnits: new Set() });
    expect(shorts(r)).toEqual([['LEAF', '1', [['J', 'J', '1']], null]]); // two LOWs needed, one on the shelf
  });

  test('bought parts are not exploded and no demand is no shortage', () => {
    expect(cascade({ demand: [demand('J', 'SCREW', 0)], boms: BOMS, free: new Map(), incoming: [], wholeUnits: new Set() })).toEqual({ shortages: [], toMake: [] });
    expect(plannedOrder(BOMS, [])).toEqual([]);
  });
});

describe('the recall CSV', () => {
  test('one row per unit and dispatch, formulas defused', () => {
    const csv = recallCsv({
      part: 'SEAL', name: 'Seal', lot: 'L1', serial: null, jobs: [], customers: ['=HYPERLINK("x")'],
      units: [{ level: 1, job: 'J-1', part: 'PUMP', name: 'Pump', serial: 'P-1', lot: null, quantity: '1', tracked: true, in_stock: '0', consumed_into: [], dispatches: ['D-1'] },
        { level: 1, job: 'J-1', part: 'PUMP', name: 'Pump', serial: 'P-2', lot: null, quantity: '1', tracked: true, in_stock: '1', consumed_into: [], dispatches: [] }],
      dispatches: [{ level: 0, number: 'D-0', customer: 'Spares', occurred_on: '2026-11-20', part: 'SEAL', serial: null, lot: 'L1', quantity: '2', job: null },
        { level: 1, number: 'D-1', customer: '=HYPERLINK("x")', occurred_on: '2026-11-25', part: 'PUMP', serial: 'P-1', lot: null, quantity: '1', job: 'J-1' }],
    });
    expect(csv.trim().split('\n')).toEqual([
      'level,job,part,name,serial,lot,quantity,in_stock,consumed_into,dispatch,customer,dispatched_on',
      '0,,SEAL,Seal,,L1,2,,,D-0,Spares,2026-11-20',
      '1,J-1,PUMP,Pump,P-1,,1,0,,D-1,"\'=HYPERLINK(""x"")",2026-11-25',
      '1,J-1,PUMP,Pump,P-2,,1,1,,,,',
    ]);
  });
});
