import { dec } from '../../../../server/domain/decimal';
import { BomLine, byParent } from '../../../../server/domain/bom';
import { loopMessage, loopsMadeBy } from '../../../../server/services/boms/loops';

const line = (parent: string, component: string): BomLine =>
  ({ parent, component, qtyPer: dec(1), attritionPct: dec(0), step: null, optional: false, note: '' });

describe('loops a BOM save would make', () => {
  it('finds none in a tree that shares a component between branches', () => {
    const boms = byParent([line('PUMP', 'MOTOR'), line('PUMP', 'BOLT'), line('MOTOR', 'BOLT'), line('MOTOR', 'STATOR')]);
    expect(loopsMadeBy(boms, new Set(['PUMP']))).toEqual([]);
  });

  it('names the line of the BOM being saved that closes the loop, with the path from it', () => {
    // B > C > A was stored; saving A with B under it closes the loop.
    const boms = byParent([line('A', 'X'), line('A', 'B'), line('B', 'C'), line('C', 'A')]);
    const loops = loopsMadeBy(boms, new Set(['A']));
    expect(loops).toEqual([{ parent: 'A', component: 'B', path: ['A', 'B', 'C', 'A'] }]);
    expect(loopMessage(loops[0])).toBe('Adding B under A makes a loop: A > B > C > A');
  });

  it('reports two lines that each loop, once each', () => {
    const boms = byParent([line('A', 'B'), line('A', 'C'), line('B', 'A'), line('C', 'D'), line('D', 'A')]);
    expect(loopsMadeBy(boms, new Set(['A']))).toEqual([
      { parent: 'A', component: 'B', path: ['A', 'B', 'A'] },
      { parent: 'A', component: 'C', path: ['A', 'C', 'D', 'A'] },
    ]);
  });

  it('reports a loop made wholly of new lines once, at a line of a changed BOM', () => {
    const boms = byParent([line('A', 'B'), line('B', 'C'), line('C', 'A')]);
    const loops = loopsMadeBy(boms, new Set(['A', 'B', 'C']));
    expect(loops).toHaveLength(1);
    expect(loops[0].path[0]).toBe(loops[0].parent);
    expect(loops[0].path.at(-1)).toBe(loops[0].parent);
    expect(loops[0].path).toHaveLength(4);
  });

  it('sets aside every line of the same component, so a component listed twice is one problem', () => {
    const boms = byParent([line('A', 'B'), line('A', 'B'), line('B', 'A')]);
    expect(loopsMadeBy(boms, new Set(['A']))).toEqual([{ parent: 'A', component: 'B', path: ['A', 'B', 'A'] }]);
  });

  it('treats a loop outside the BOMs being saved as a bug, not input', () => {
    const boms = byParent([line('A', 'B'), line('B', 'A')]);
    expect(() => loopsMadeBy(boms, new Set(['Z']))).toThrow('BOM loop among BOMs not being saved: A > B > A');
  });
});
