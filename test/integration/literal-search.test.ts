import { dec } from '../../server/domain/decimal';
import { listJobs } from '../../server/services/jobs/views';
import { listDispatches } from '../../server/services/dispatch/list';
import { dispatchGoods } from '../../server/services/dispatch/dispatch';
import { stockList } from '../../server/services/queries';
import { organisationPerTest } from '../support/organisation-per-test';
import { givenBom, givenJob, givenStock, TODAY } from './jobs/helpers';
import { givenPart } from '../support/builders';

// "%" and "_" typed in a search box are characters to find, not LIKE wildcards: "BRG_6204" must
// not find BRGX6204, and "50%" must not find "500 Offices".
const t = organisationPerTest(async (db, actor) => {
  for (const sku of ['BRG_6204', 'BRGX6204']) await givenPart(db, actor, sku, { source: 'made' });
  await givenPart(db, actor, 'BALL');
  await givenStock(db, actor, [['BALL', 10, '1.00']]);
  await givenBom(db, actor, [['BRG_6204', 'BALL', 1, null], ['BRGX6204', 'BALL', 1, null]]);
  await givenStock(db, actor, [['BRG_6204', 5, '2.00'], ['BRGX6204', 5, '2.00']]);
});

describe('searches take % and _ literally', () => {
  test('the job board finds only the literal SKU and customer', async () => {
    await givenJob(t.db, t.actor, 'BRG_6204', 1, { customer: '50% Off Ltd' });
    await givenJob(t.db, t.actor, 'BRGX6204', 1, { customer: '500 Offices' });
    const skus = async (q: string) => (await listJobs(t.db, t.actor.tenantId, { q })).map((j) => `${j.part} ${j.customer}`);
    expect(await skus('BRG_6204')).toEqual(['BRG_6204 50% Off Ltd']);
    expect(await skus('50%')).toEqual(['BRG_6204 50% Off Ltd']);
    expect(await skus('brg_')).toEqual(['BRG_6204 50% Off Ltd']); // still case-insensitive
  });

  test('the dispatch list finds only the literal reference and customer', async () => {
    const ship = (customer: string, reference: string, part: string) =>
      dispatchGoods(t.db, t.actor, { customer, reference, occurredOn: TODAY, lines: [{ part, quantity: dec(1) }] });
    await ship('50% Off Ltd', 'BRG_6204', 'BRG_6204');
    await ship('500 Offices', 'BRGX6204', 'BRGX6204');
    const found = async (q: string) => (await listDispatches(t.db, t.actor.tenantId, { q })).map((d: { customer: string; reference: string }) => `${d.customer} ${d.reference}`);
    expect(await found('BRG_6204')).toEqual(['50% Off Ltd BRG_6204']);
    expect(await found('50%')).toEqual(['50% Off Ltd BRG_6204']);
  });

  test('the stock list keeps taking them literally', async () => {
    expect((await stockList(t.db, t.actor.tenantId, { q: 'BRG_6204' })).parts.map((p) => p.sku)).toEqual(['BRG_6204']);
  });
});
