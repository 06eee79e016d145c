import { Db } from '../../db';
import { Decimal, dec } from '../../domain/decimal';
import { createPurchaseOrder } from '../purchasing/create-po';
import { PoInput } from '../purchasing/types';
import { receiveLine } from '../goods-in/receive';
import { finishDelivery } from '../goods-in/deliveries';
import { Actor } from '../stock/types';
import { MAIN, SUPPLIERS } from './catalogue';
import { DemoPlan, addDays } from './plan';

/*
 * The demo's open purchase orders, made through the real services (createPurchaseOrder, then
 * goods-in's receiveLine and finishDelivery), so the PO list, goods-in and the buying-less flags
 * show what a customer would see. They come after every stock posting of the demo, so each line's
 * buying-less check sees the stock the demo ends with. Fixed data, no random draws:
 *
 *   PO-10452  Trent Bearing Supplies    GBP  open   part-received (one delivery, finished), 2 lines outstanding
 *   PO-10453  Hessler Antriebstechnik   EUR  open   serial-tracked motors and drives, part-received
 *   PO-10454  Northgate Electrical      GBP  open   terminal blocks bought in boxes of 100, 20% VAT
 *   PO-10455  Solway Steel              GBP  open   overdue; its S275 3 mm sheet is flagged (plenty in stock)
 *   PO-10456  Trent Bearing Supplies    GBP  draft  a re-order waiting for approval
 *
 * Goods-in dates each delivery (and its receipts) by the calendar, as it does for real
 * deliveries, so those are dated the day the demo is loaded; order and expected dates follow `today`.
 */

const supplier = (code: string) => SUPPLIERS.find((s) => s.code === code)!.name;

/** EUR per 1 GBP (Xero's convention: the PO's currency per one unit of the base currency). */
export const DEMO_EUR_RATE = '1.1535';

type Receipt = { part: string; quantity: string; serials?: string[] };
type DemoPo = { input: PoInput; delivery?: { note: string; receipts: Receipt[] } };

const ln = (part: string, quantity: string, unitPrice: string, extra: Partial<PoInput['lines'][number]> = {}): PoInput['lines'][number] => ({
  part, quantity: dec(quantity), unitPrice: dec(unitPrice), ...extra,
});

export function demoPurchaseOrders(plan: DemoPlan, today: string): DemoPo[] {
  const on = (days: number) => addDays(today, days);
  const common = { location: MAIN }; // in the base currency (GBP for the demo)
  return [
    {
      input: {
        ...common, number: 'PO-10452', supplier: supplier('TRENT'), orderDate: on(-9), expectedDate: on(-2), reference: 'Bearings below reorder point',
        lines: [
          ln('BRG-6204-2RS', '40', '2.9500'),
          ln('BRG-6207-2RS', '30', '6.2000'),
          ln('BRG-NU208', '20', '28.6000'),
          ln('BRG-6306-2RS', '24', '7.1500'),
        ],
      },
      // The first delivery brought the 6204s and 6306s in full and 18 of the 30 6207s; the NU208s are still to come.
      delivery: { note: 'TBS advice 88213', receipts: [{ part: 'BRG-6204-2RS', quantity: '40' }, { part: 'BRG-6207-2RS', quantity: '18' }, { part: 'BRG-6306-2RS', quantity: '24' }] },
    },
    {
      input: {
        location: MAIN, number: 'PO-10453', supplier: supplier('HESSLER'), currency: 'EUR', currencyRate: dec(DEMO_EUR_RATE),
        orderDate: on(-20), expectedDate: on(6), reference: 'Motors and drives for booster sets, order AB-2026-4471',
        lines: [
          ln('MTR-IE3-1.5-4P', '4', '228.00'),
          ln('MTR-IE3-7.5-2P', '2', '595.00'),
          ln('VFD-5.5', '3', '459.00'),
        ],
      },
      delivery: {
        note: 'Lieferschein 700-3381',
        receipts: [
          { part: 'MTR-IE3-1.5-4P', quantity: '2', serials: plan.orderedSerials['MTR-IE3-1.5-4P'] },
          { part: 'VFD-5.5', quantity: '1', serials: plan.orderedSerials['VFD-5.5'] },
        ],
      },
    },
    {
      input: {
        ...common, number: 'PO-10454', supplier: supplier('NORTHGATE'), orderDate: on(-4), expectedDate: on(3), reference: 'Panel build stock',
        lines: [
          ln('ELC-TB-DIN-4', '5', '36.50', { purchaseUnit: 'box', unitsPerPurchaseUnit: dec(100), description: 'DIN terminal block 4 mm² grey, box of 100', taxRate: dec(20) }),
          ln('ELC-CON-18A', '10', '17.45', { taxRate: dec(20) }),
          ln('ELC-OLR-4-6', '10', '13.60', { taxRate: dec(20) }),
          ln('ELC-PT-10-420', '12', '38.20', { taxRate: dec(20) }),
        ],
      },
    },
    {
      input: {
        ...common, number: 'PO-10455', supplier: supplier('SOLWAY'), orderDate: on(-6), expectedDate: on(-1), reference: 'Baseplate steel',
        lines: [
          ln('STL-S275-2', '300', '1.2100'),
          // Over 900 kg already on the shelf: the buying-less check flags this line.
          ln('STL-S275-3', '250', '1.1900'),
          ln('STL-ANG-50', '200', '1.2600'),
        ],
      },
    },
    {
      input: {
        ...common, number: 'PO-10456', supplier: supplier('TRENT'), status: 'draft', orderDate: today, expectedDate: on(3), reference: 'Re-order, awaiting approval',
        lines: [ln('BRG-6201-2RS', '24', '2.1400'), ln('BRG-6307-2RS', '24', '9.4000')],
      },
    },
  ];
}

/** Create the POs and receive the first deliveries against the part-received ones. */
export async function createDemoPurchaseOrders(db: Db, actor: Actor, plan: DemoPlan, today: string): Promise<number> {
  const pos = demoPurchaseOrders(plan, today);
  for (const { input, delivery } of pos) {
    const { body: po } = await createPurchaseOrder(db, actor, input);
    if (!delivery) continue;
    let deliveryId: string | undefined;
    for (const r of delivery.receipts) {
      const { body } = await receiveLine(db, actor, po.id, { part: r.part, quantity: new Decimal(r.quantity), serials: r.serials, deliveryNote: delivery.note });
      deliveryId = body.receipt_line.delivery_id;
    }
    if (deliveryId) await finishDelivery(db, actor, deliveryId);
  }
  return pos.length;
}
