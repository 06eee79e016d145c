import { dec, Decimal } from '../../../server/domain/decimal';
import { BomLine, byParent, cycleIfAdded, findCycle, explode, leafRequirements, lowLevelCodes, need } from '../../../server/domain/bom';

const line = (parent: string, component: string, qtyPer: string | number, extra: Partial<BomLine> = {}): BomLine =>
  ({ parent, component, qtyPer: dec(qtyPer), attritionPct: dec(0), step: null, optional: false, note: '', ...extra });

// A pump: a motor assembly (a stator and 2 bearings) and a casing (4 bolts), plus 8 bolts at the top.
const PUMP = byParent([
  line('PUMP', 'MOTOR', 1, { step: 20 }),
  line('PUMP', 'CASING', 1, { step: 10 }),
  line('PUMP', 'BOLT', 8, { step: 30 }),
  line('PUMP', 'MANUAL', 1, { optional: true }),
  line('MOTOR', 'STATOR', 1),
  line('MOTOR', 'BEARING', 2, { attritionPct: dec(5) }),
  line('CASING', 'BOLT', 4),
  line('CASING', 'SHEET', '0.35', { attritionPct: dec(10) }),
]);

const text = (m: Map<string, Decimal>) => Object.fromEntries([...m].map(([k, v]) => [k, v.toFixed()]));

describe('BOM explosion', () => {
  it('multiplies quantities down the levels, with attrition, and sums leaves used in several places', () => {
    const tree = explode(PUMP, 'PUMP', dec(3));
    expect(tree.children.map((c) => [c.part, c.level, c.required.toFixed()])).toEqual([['MOTOR', 1, '3'], ['CASING', 1, '3'], ['BOLT', 1, '24']]);
    expect(text(leafRequirements(tree))).toEqual({ STATOR: '3', BEARING: '6.3', BOLT: '36', SHEET: '1.155' });
  });

  it('leaves optional lines out unless asked', () => {
    expect(leafRequirements(explode(PUMP, 'PUMP', dec(1))).has('MANUAL')).toBe(false);
    expect(text(leafRequirements(explode(PUMP, 'PUMP', dec(1), { includeOptional: true })))).toMatchObject({ MANUAL: '1' });
  });

  it.each([
    ['1', '3', '0', '3'],
    ['7', '0.333333', '0', '2.333331'],
    ['3', '0.333333', '10', '1.099999'],
    ['1', '1', '2.5', '1.025'],
    ['1', '0.000001', '50', '0.000002'],
  ])('needs %s x %s with %s%% attrition = %s (rounded up to 6 places)', (parent, per, attrition, expected) => {
    expect(need(dec(parent), line('P', 'C', per, { attritionPct: dec(attrition) })).toFixed()).toBe(expected);
  });

  it('gives each part its deepest level, so sub-assemblies are planned before what uses them', () => {
    expect(Object.fromEntries(lowLevelCodes(explode(PUMP, 'PUMP', dec(1))))).toEqual({ PUMP: 0, MOTOR: 1, CASING: 1, BOLT: 2, STATOR: 2, BEARING: 2, SHEET: 2 });
  });

  it('explodes six levels over thousands of parts', () => {
    const lines: BomLine[] = [];
    let n = 0;
    const build = (parent: string, level: number) => {
      if (level === 6) return;
      for (let i = 0; i < 4; i++) {
        const child = `P${++n}`;
        lines.push(line(parent, child, 2));
        build(child, level + 1);
      }
    };
    build('TOP', 0);
    const leaves = leafRequirements(explode(byParent(lines), 'TOP', dec(1)));
    expect(n).toBe(5460);
    expect(leaves.size).toBe(4096);
    expect([...leaves.values()].every((q) => q.eq(64))).toBe(true);
  });
});

describe('BOM loops', () => {
  it('refuses a part under itself', () => {
    expect(cycleIfAdded(PUMP, 'BOLT', 'BOLT')).toEqual(['BOLT', 'BOLT']);
  });

  it('names the path that would loop', () => {
    expect(cycleIfAdded(PUMP, 'STATOR', 'PUMP')).toEqual(['STATOR', 'PUMP', 'MOTOR', 'STATOR']);
    expect(cycleIfAdded(PUMP, 'SHEET', 'CASING')).toEqual(['SHEET', 'CASING', 'SHEET']);
  });

  it('allows a part used in two branches (a diamond is not a loop)', () => {
    expect(cycleIfAdded(PUMP, 'MOTOR', 'BOLT')).toBeNull();
    expect(findCycle(PUMP)).toBeNull();
  });

  it('finds a loop in a whole set, as an import would bring it', () => {
    const looped = byParent([...[...PUMP.values()].flat(), line('BEARING', 'MOTOR', 1)]);
    expect(findCycle(looped)).toEqual(['MOTOR', 'BEARING', 'MOTOR']);
    expect(() => explode(looped, 'PUMP', dec(1))).toThrow(/BOM loop through PUMP > MOTOR > BEARING > MOTOR/);
  });
});
