import { dec, Decimal } from '../../../server/domain/decimal';
import { allocate, shortages } from '../../../server/domain/allocation';

const qty = (m: Map<string, Decimal>) => Object.fromEntries([...m].map(([k, v]) => [k, v.toFixed()]));

describe('hard allocation', () => {
  it('allocates in the order given and never more than is available; the rest is short', () => {
    const { allocations, remaining } = allocate(
      [{ key: 'j1-a', part: 'BOLT', quantity: dec(30) }, { key: 'j1-b', part: 'NUT', quantity: dec(5) }, { key: 'j1-c', part: 'BOLT', quantity: dec(30) }],
      new Map([['BOLT', dec(50)], ['NUT', dec(5)]]),
    );
    expect(allocations.map((a) => [a.key, a.allocated.toFixed(), a.short.toFixed()])).toEqual([['j1-a', '30', '0'], ['j1-b', '5', '0'], ['j1-c', '20', '10']]);
    expect(qty(remaining)).toEqual({ BOLT: '0', NUT: '0' });
  });

  it('treats a part with nothing available (or a negative figure) as all short', () => {
    const { allocations } = allocate([{ key: 'x', part: 'GONE', quantity: dec('2.5') }, { key: 'y', part: 'NEG', quantity: dec(1) }], new Map([['NEG', dec(-3)]]));
    expect(allocations.map((a) => [a.allocated.toFixed(), a.short.toFixed()])).toEqual([['0', '2.5'], ['0', '1']]);
  });
});

describe('shortage cascade', () => {
  const demand = [
    { job: 'JOB-2', topJob: 'JOB-2', due: '2026-12-10', part: 'BEARING', quantity: dec(8) },
    { job: 'JOB-1.1', topJob: 'JOB-1', due: '2026-12-01', part: 'BEARING', quantity: dec(6) }, // a level-three child of JOB-1
    { job: 'JOB-1', topJob: 'JOB-1', due: '2026-12-01', part: 'BOLT', quantity: dec(10) },
  ];

  it('nets earliest-due demand against free stock and names the top-level jobs each shortage blocks', () => {
    const s = shortages(demand, new Map([['BEARING', dec(10)], ['BOLT', dec(10)]]), []);
    expect(s.map((x) => [x.part, x.short.toFixed(), x.blocks.map((b) => [b.job, b.topJob, b.short.toFixed()]), x.coveredBy])).toEqual([
      ['BEARING', '4', [['JOB-2', 'JOB-2', '4']], null],
    ]);
  });

  it('finds the earliest PO whose quantity, with those before it, covers the shortage', () => {
    const s = shortages(demand, new Map([['BEARING', dec(2)]]), [
      { po: 'PO-3', part: 'BEARING', quantity: dec(20), expected: '2026-12-20' },
      { po: 'PO-1', part: 'BEARING', quantity: dec(5), expected: '2026-12-03' },
      { po: 'PO-2', part: 'BEARING', quantity: dec(7), expected: '2026-12-05' },
      { po: 'PO-9', part: 'BOLT', quantity: dec(3), expected: '2026-12-02' },
    ]);
    expect(s.map((x) => [x.part, x.short.toFixed(), x.coveredBy])).toEqual([['BEARING', '12', 'PO-2'], ['BOLT', '10', null]]);
    expect(s[0].blocks.map((b) => b.topJob)).toEqual(['JOB-1', 'JOB-2']);
  });
});
