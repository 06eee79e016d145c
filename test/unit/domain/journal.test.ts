import { DomainError } from '../../../server/errors';
import { dec, sum } from '../../../server/domain/decimal';
import { AccountMapping, AccountRole, DEFAULT_ACCOUNTS, StockPosting, UnbalancedJournal, assertBalanced, buildJournal } from '../../../server/domain/accounting';

const post = (role: AccountRole, amount: string): StockPosting => ({ role, amount: dec(amount) });
const shape = (draft: ReturnType<typeof buildJournal>) => draft && draft.lines.map((l) => `${l.role} ${l.amount.toFixed()}`);

describe('buildJournal', () => {
  test.each<[string, StockPosting[], AccountRole, string[] | null]>([
    ['a receipt debits stock and credits GRNI', [post('raw_materials', '125.50')], 'grni', ['raw_materials 125.5', 'grni -125.5']],
    ['an issue debits COGS before crediting stock', [post('finished_goods', '-40.00')], 'cogs', ['cogs 40', 'finished_goods -40']],
    [
      'several postings on one account are summed into one line',
      [post('raw_materials', '10.00'), post('raw_materials', '5.50'), post('raw_materials', '0.01')],
      'grni',
      ['raw_materials 15.51', 'grni -15.51'],
    ],
    [
      'postings on two accounts give one line each plus the contra',
      [post('raw_materials', '10.00'), post('finished_goods', '3.00'), post('raw_materials', '2.00')],
      'opening_balance',
      ['raw_materials 12', 'finished_goods 3', 'opening_balance -15'],
    ],
    [
      'a count shortfall credits stock and debits stock adjustments',
      [post('raw_materials', '-7.25'), post('finished_goods', '-2.75')],
      'stock_adjustments',
      ['stock_adjustments 10', 'raw_materials -7.25', 'finished_goods -2.75'],
    ],
    [
      'a build moves value between stock accounts without a contra line',
      [post('raw_materials', '-30.00'), post('wip', '30.00')],
      'scrap',
      ['wip 30', 'raw_materials -30'],
    ],
    [
      'a net gain and a net loss leave only the difference on the contra',
      [post('raw_materials', '-30.00'), post('finished_goods', '31.00')],
      'ppv',
      ['finished_goods 31', 'raw_materials -30', 'ppv -1'],
    ],
    ['an account that nets to zero is left out', [post('raw_materials', '5'), post('raw_materials', '-5'), post('finished_goods', '2')], 'grni', ['finished_goods 2', 'grni -2']],
    ['a transfer between bins of one account moves nothing', [post('raw_materials', '-12.00'), post('raw_materials', '12.00')], 'grni', null],
    ['a zero posting moves nothing', [post('raw_materials', '0')], 'grni', null],
    ['no postings move nothing', [], 'grni', null],
  ])('%s', (_name, postings, contra, expected) => {
    expect(shape(buildJournal(postings, contra, DEFAULT_ACCOUNTS, 'test'))).toEqual(expected);
  });

  test('takes codes and names from the mapping and the narration as every line description', () => {
    const mapping: AccountMapping = { ...DEFAULT_ACCOUNTS, raw_materials: { code: '1410', name: 'Stock - RM' }, grni: { code: '2150', name: 'Accrued purchases' } };
    const draft = buildJournal([post('raw_materials', '99.99')], 'grni', mapping, 'Receipt PO-17');
    expect(draft?.narration).toBe('Receipt PO-17');
    expect(draft?.lines.map((l) => [l.code, l.name, l.amount.toFixed(2), l.description])).toEqual([
      ['1410', 'Stock - RM', '99.99', 'Receipt PO-17'],
      ['2150', 'Accrued purchases', '-99.99', 'Receipt PO-17'],
    ]);
  });

  test('lists every debit before any credit', () => {
    // Built in posting order this would be raw -5, wip +3, finished -1, then the contra +3.
    const draft = buildJournal([post('raw_materials', '-5'), post('wip', '3'), post('finished_goods', '-1')], 'stock_adjustments', DEFAULT_ACCOUNTS, 'mixed');
    expect(shape(draft)).toEqual(['wip 3', 'stock_adjustments 3', 'raw_materials -5', 'finished_goods -1']);
  });

  test('every journal it builds balances to exactly zero', () => {
    // A fixed pseudo-random walk over many posting mixes, so a failure is reproducible.
    const roles: AccountRole[] = ['raw_materials', 'wip', 'finished_goods'];
    const contras: AccountRole[] = ['grni', 'cogs', 'ppv', 'stock_adjustments', 'scrap', 'opening_balance'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    let built = 0;
    for (let i = 0; i < 500; i++) {
      const postings = Array.from({ length: 1 + (next() % 6) }, () => post(roles[next() % 3], dec(next() % 200001).minus(100000).div(100).toFixed()));
      const draft = buildJournal(postings, contras[next() % contras.length], DEFAULT_ACCOUNTS, `walk ${i}`);
      if (!draft) continue;
      built++;
      expect(sum(draft.lines.map((l) => l.amount)).toFixed()).toBe('0');
      expect(draft.lines.every((l) => !l.amount.isZero())).toBe(true);
    }
    expect(built).toBeGreaterThan(450);
  });
});

describe('assertBalanced', () => {
  test.each([[[]], [['10.00', '-10.00']], [['0.01', '0.02', '-0.03']], [['1234.5', '-1000', '-234.5']]])('accepts lines %j that sum to zero', (amounts) => {
    expect(() => assertBalanced(amounts.map((a) => ({ amount: dec(a) })))).not.toThrow();
  });

  test.each([
    [['10.00', '-9.99'], '0.01'],
    [['10.00'], '10'],
    [['-0.01'], '-0.01'],
    [['0.1', '0.2', '-0.3', '0.0000000000000001'], '0.0000000000000001'],
  ])('throws UnbalancedJournal for lines %j, carrying the difference %s', (amounts, total) => {
    let error: unknown;
    try {
      assertBalanced(amounts.map((a) => ({ amount: dec(a) })));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnbalancedJournal);
    expect(error).toBeInstanceOf(DomainError);
    const u = error as UnbalancedJournal;
    expect(u.total.toFixed()).toBe(total);
    expect([u.code, u.status, u.message]).toEqual(['unbalanced_journal', 500, `Journal does not balance: debits - credits = ${total}`]);
  });
});
