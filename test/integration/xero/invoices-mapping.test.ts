import { Invoice, ObjectSerializer } from 'xero-node';
import { fromXero } from '../../../server/connectors/xero/invoices/xero-invoice';
import { taxRate } from '../../../server/connectors/xero/sync/po-input';
import { isoDate } from '../../../server/connectors/xero/sync/values';
import { explain } from '../../../server/connectors/xero/invoices/outcomes';
import { Invalid } from '../../../server/errors';
import { xeroBill } from './invoice-fixtures';

// How a Xero invoice reads once xero-node has deserialised it (as callXero hands it over): no DB.
const read = (json: unknown) => fromXero(ObjectSerializer.deserialize(json, 'Invoice') as Invoice);

describe('reading a Xero invoice', () => {
  it('turns dates, enums and JSON numbers into ISO days, our words and decimals', () => {
    const inv = read(xeroBill({
      InvoiceNumber: ' AB-1 ', Reference: 'PO-00007', Date: '2026-11-20', LineAmountTypes: 'Inclusive', CurrencyCode: 'USD', CurrencyRate: 1.2745,
      LineItems: [{ ItemCode: 'BRG-1', Quantity: 3, UnitAmount: 0.99, taxRate: 20 }, { Description: 'Notes', Quantity: 0, UnitAmount: 0 }],
    }));
    expect(inv).toMatchObject({ type: 'ACCPAY', status: 'AUTHORISED', number: 'AB-1', reference: 'PO-00007', date: '2026-11-20', currency: 'USD', amounts: 'inclusive', contactName: 'Acme Bearings' });
    expect(inv.currencyRate!.toFixed()).toBe('1.2745');
    expect(inv.updatedAt).toBeInstanceOf(Date);
    // 2.97 inclusive with 0.50 tax: the rate that reproduces Xero's own net of 2.47.
    expect(inv.lines.map((l) => [l.lineNo, l.itemCode, l.quantity.toFixed(), l.unitPrice.toFixed(), l.taxRate.toFixed()])).toEqual([[1, 'BRG-1', '3', '0.99', '20.2429'], [2, null, '0', '0', '0']]);
  });

  it('prices a discounted line as its PO is priced: UnitAmount less the discount, not the rounded LineAmount over Quantity', () => {
    const inv = read(xeroBill({ LineItems: [{ ItemCode: 'BRG-1', Quantity: 3, UnitAmount: 10, DiscountRate: 10 }, { ItemCode: 'BRG-2', Quantity: 3, UnitAmount: 9.99, DiscountRate: 12.5 }] }));
    // 3 × 9.99 less 12.5% is 26.22375, which Xero rounds to a LineAmount of 26.22 (8.74 each).
    expect(inv.lines[1].quantity.mul(inv.lines[1].unitPrice).toFixed()).toBe('26.22375');
    expect(inv.lines.map((l) => l.unitPrice.toFixed())).toEqual(['9', '8.74125']);
  });

  it('takes a DiscountAmount off the line as a share of each unit', () => {
    const json = xeroBill({ LineItems: [{ ItemCode: 'BRG-1', Quantity: 4, UnitAmount: 2.5 }] });
    const discounted = { ...json, LineItems: [{ ...json.LineItems[0], DiscountAmount: 1, LineAmount: 9 }] };
    expect(read(discounted).lines[0].unitPrice.toFixed()).toBe('2.25');
  });

  it.each([
    ['exclusive', '100', '20', '20'],
    ['inclusive', '120', '20', '20'],
    ['no_tax', '100', '0', '0'],
    ['exclusive', '0', '0', '0'],
  ] as const)('works out the tax rate of a %s line of %s with %s tax as %s%%', (amounts, line, tax, rate) => {
    expect(taxRate({ lineAmount: Number(line), taxAmount: Number(tax) }, amounts).toFixed()).toBe(rate);
  });

  it('reads Xero\'s three date shapes', () => {
    expect([isoDate('/Date(1795132800000+0000)/'), isoDate('2026-11-20T00:00:00'), isoDate(new Date('2026-11-20T00:00:00Z')), isoDate('')]).toEqual(['2026-11-20', '2026-11-20', '2026-11-20', null]);
  });

  it('names a refused line by its number and item in Xero', () => {
    const inv = read(xeroBill({ LineItems: [{ Description: 'Heading', Quantity: 0, UnitAmount: 0 }, { ItemCode: 'BRG-1', Quantity: 1, UnitAmount: 1 }] }));
    const passedOn = inv.lines.slice(1);
    expect(explain(new Invalid([{ field: 'lines.0.unit_price', message: 'Unit price must not be negative' }, { field: 'date', message: 'bad date' }]), passedOn))
      .toBe('line 2 (BRG-1): Unit price must not be negative; bad date');
  });
});
