import { csrfOf } from './support/session';
import { signedUpApp } from './support/signed-up-app';
import { createPart } from '../../server/services/catalogue';
import { PO_CSV_COLUMNS } from '../../server/services/purchasing/import-pos';

// A browser without JavaScript posts a file form as multipart/form-data with the hidden _csrf
// field among its parts, and no X-CSRF-Token header: that is all these requests send.
const t = signedUpApp({ organisation: 'No Script Ltd', name: 'Nora Plain', email: 'nora@example.com' });
beforeAll(async () => {
  for (const sku of ['FRAME', 'BOLT', 'BRG-1']) await createPart(t.db, t.actor.tenantId, { sku, name: `Part ${sku}` });
});

const tokenOn = async (path: string) => csrfOf((await t.agent.get(path).expect(200)).text);

describe('import forms without JavaScript', () => {
  it('imports a BOM file posted as multipart with the hidden _csrf field', async () => {
    const res = await t.agent.post('/boms/import')
      .field('_csrf', await tokenOn('/boms'))
      .field('csv', '')
      .attach('file', Buffer.from('parent_sku,component_sku,quantity\nFRAME,BOLT,4\n'), { filename: 'boms.csv', contentType: 'text/csv' })
      .expect(200);
    expect(res.text).toContain('<a href="/boms/FRAME">FRAME</a> (1 line(s))');
    const lines = await t.db('bom_lines').where({ tenant_id: t.actor.tenantId }).select('qty_per');
    expect(lines.map((l) => Number(l.qty_per))).toEqual([4]);
  });

  it('imports a PO file posted as multipart with the hidden _csrf field and one-time key, once', async () => {
    const csv = [PO_CSV_COLUMNS.join(','), 'PO-NOJS-1,Acme Bearings,,,,,,MAIN,BRG-1,,2,,,2.40,,'].join('\n');
    const post = async (token: string) => t.agent.post('/purchase-orders/import')
      .field('_csrf', token)
      .field('idempotency_key', 'no-js-import-1')
      .field('csv', '')
      .attach('file', Buffer.from(csv), { filename: 'pos.csv', contentType: 'text/csv' })
      .expect(200);
    const token = await tokenOn('/purchase-orders/import');
    expect((await post(token)).text).toMatch(/Imported 1 purchase order\(s\):/);
    expect((await post(token)).text).toMatch(/Imported 1 purchase order\(s\):/);
    const pos = await t.db('purchase_orders').where({ tenant_id: t.actor.tenantId, number: 'PO-NOJS-1' }).count({ n: '*' }).first();
    expect(Number(pos!.n)).toBe(1);
  });

  it('still refuses a multipart post whose _csrf field is wrong', async () => {
    await t.agent.post('/boms/import').field('_csrf', 'not-the-token')
      .attach('file', Buffer.from('parent_sku,component_sku,quantity\nFRAME,BOLT,9\n'), { filename: 'boms.csv', contentType: 'text/csv' })
      .expect(403);
  });
});
