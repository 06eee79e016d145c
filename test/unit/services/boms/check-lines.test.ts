import { dec } from '../../../../server/domain/decimal';
import { Part } from '../../../../server/repos/catalogue';
import { checkBomLines } from '../../../../server/services/boms/check-lines';

const part = (id: string, sku: string): Part => ({
  id, sku, name: sku, description: '', unit: 'each', fractional: false, barcode: null, source: 'bought', tracking: 'none', reorderPoint: null, defaultLocationId: null, stockRole: 'raw_materials',
});
const PARTS = new Map([['PUMP', part('p', 'PUMP')], ['BOLT', part('b', 'BOLT')], ['5000', part('b', 'BOLT')]]);
const at = (i: number, f: string) => `lines.${i}.${f}`;

describe('checking a BOM\'s lines', () => {
  it('accepts fractions, zero attrition, steps 1 to 999 and a component named by barcode', () => {
    const { problems, checked } = checkBomLines(PARTS.get('PUMP')!, [
      { component: 'BOLT', qtyPer: dec('0.000001'), attritionPct: dec('999.9999'), step: 999 },
      { component: '5000', qtyPer: dec(2), attritionPct: dec(0), step: 1, optional: true },
    ], PARTS, at);
    expect(problems).toEqual([]);
    expect(checked.map((c) => c.part.sku)).toEqual(['BOLT', 'BOLT']);
  });

  it.each([
    [{ qtyPer: dec(-1) }, 'lines.0.qty_per', 'Quantity of BOLT per PUMP must be greater than zero (got -1)'],
    [{ qtyPer: dec('1e13') }, 'lines.0.qty_per', 'Quantity of BOLT per PUMP is more than 1000000000000'],
    [{ attritionPct: dec('-0.5') }, 'lines.0.attrition_pct', expect.stringMatching(/^Attrition of BOLT must be a percentage from 0 to below 1000/)],
    [{ attritionPct: dec('2.00001') }, 'lines.0.attrition_pct', expect.stringMatching(/at most 4 decimal places \(got 2\.00001\)$/)],
    [{ step: 0 }, 'lines.0.step', 'Step must be a whole number from 1 to 999, or left blank (got 0)'],
    [{ step: 2.5 }, 'lines.0.step', 'Step must be a whole number from 1 to 999, or left blank (got 2.5)'],
    [{ note: 'x'.repeat(2001) }, 'lines.0.note', 'Note is too long (2000 characters at most)'],
  ])('refuses %o at its field', (extra, field, message) => {
    const { problems } = checkBomLines(PARTS.get('PUMP')!, [{ component: 'BOLT', qtyPer: dec(1), ...extra }], PARTS, at);
    expect(problems).toEqual([{ field, message }]);
  });

  it('refuses an unknown part and the assembly itself, and leaves them out of what is checked for loops', () => {
    const { problems, checked } = checkBomLines(PARTS.get('PUMP')!, [{ component: 'NOPE', qtyPer: dec(1) }, { component: 'PUMP', qtyPer: dec(1) }], PARTS, at);
    expect(problems).toEqual([
      { field: 'lines.0.component', message: 'Unknown part NOPE' },
      { field: 'lines.1.component', message: 'PUMP cannot be a component of itself' },
    ]);
    expect(checked).toEqual([]);
  });
});
