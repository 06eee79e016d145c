import { QTY_DP, COST_DP } from '../domain/decimal';
import { PO_CSV_COLUMNS } from '../services/purchasing/import-pos';

// The purchasing, goods-in and bills part of the OpenAPI document (see openapi.ts, which lends
// its schema helpers and merges these in).

type Schema = { [key: string]: unknown };
type Role = 'admin' | 'operations' | 'bookkeeper';
export type OpenApiKit = {
  ref: (name: string) => Schema;
  nullable: (s: Schema) => Schema;
  text: (description?: string, extra?: Schema) => Schema;
  int: (description?: string, extra?: Schema) => Schema;
  bool: (description?: string) => Schema;
  oneOf: (values: readonly string[], description?: string) => Schema;
  list: (items: Schema, extra?: Schema) => Schema;
  date: (description?: string) => Schema;
  uuid: (description?: string) => Schema;
  code: (what: string, max?: number) => Schema;
  record: (properties: Record<string, Schema>) => Schema;
  input: (properties: Record<string, Schema>, required?: string[]) => Schema;
  decimalIn: (what: string, dp: number, signed?: boolean) => Schema;
  decimalOut: (description: string) => Schema;
  money: (description: string) => Schema;
  param: (name: string, where: 'path' | 'query' | 'header', schema: Schema, description: string, required?: boolean) => Schema;
  operation: (o: {
    id: string; tag: string; summary: string; description?: string; roles?: Role[]; params?: Schema[]; body?: Schema; bodyType?: string; optionalBody?: boolean;
    idempotent?: boolean; ok: { status: 200 | 201; description: string; schema: Schema; type?: string }; errors?: number[];
  }) => Schema;
};

const PO_STATUSES = ['draft', 'open', 'received', 'closed', 'cancelled'] as const;
const AMOUNTS = ['exclusive', 'inclusive', 'no_tax'] as const;

export function purchasingDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation } = k;
  const quantityIn = decimalIn('Quantity, greater than zero', QTY_DP);
  const priceIn = decimalIn('Unit price per purchase unit, in the document\'s currency, zero or more', COST_DP);
  const rateIn = decimalIn('Units of the document\'s currency per 1 unit of the base currency (as Xero\'s CurrencyRate); required when the currency is not the base currency', COST_DP);
  const percentIn = decimalIn('Tax rate in percent (default 0)', QTY_DP);
  const currency = text('Three-letter currency code (default: the base currency)', { pattern: '^[A-Za-z]{3}$', example: 'EUR' });
  const flag = nullable(record({ free_stock: decimalOut('Free stock (on hand - allocated + on order - demand) when the line was ordered'), value: money('Money the line ties up') }));
  const receiptLine = record({
    id: uuid(), delivery_id: uuid(), po_line_id: uuid(), part: text('Part SKU'), outcome: oneOf(['accepted', 'rejected']),
    quantity: decimalOut('Quantity in stock units'), lot: nullable(text()), serials: list(text()), reason: text('Why it was rejected'),
    unit_cost: decimalOut('Unit cost in the base currency, excluding tax'), value: money('Quantity x unit cost'),
    event_id: nullable(uuid('The receipt stock event (accepted lines)')), undone: bool(), undo_event_id: nullable(uuid('The reversal that undid it')),
    approved_by: nullable(text('The admin who approved an over-receipt')), returned: bool('Rejected goods sent back to the supplier'), recorded_at: text(undefined, { format: 'date-time' }),
  });
  const poLine = record({
    id: uuid(), line_no: int(), part: text('SKU'), part_id: uuid(), part_name: text(), barcode: nullable(text()), tracking: oneOf(['none', 'lot', 'serial']), fractional: bool(), unit: text('Stock unit'),
    description: text(), quantity: decimalOut('Ordered, purchase units'), purchase_unit: text(), units_per_purchase_unit: decimalOut('Stock units per purchase unit'),
    unit_price: decimalOut('Per purchase unit, PO currency'), tax_rate: decimalOut('Percent'), account_code: text(),
    unit_cost: decimalOut('Per stock unit, base currency, excluding tax: what goods-in receives at'),
    ordered: decimalOut('Stock units'), received: decimalOut('Stock units'), rejected: decimalOut('Stock units'), billed: decimalOut('Stock units'), outstanding: decimalOut('Ordered less received, not below 0'),
    flag,
  });
  const deliverySummary = {
    id: uuid(), number: int(), po_id: uuid(), po_number: text(), status: oneOf(['open', 'completed']), received_on: date(), delivery_note: text(),
    journal_per: oneOf(['line', 'delivery'], 'A journal per verified line, or one for the delivery when it is finished'),
    journal: nullable(ref('Journal')),
  };
  const arrivedOn = date('The business date the goods arrived; today (UTC) when left out. It dates the delivery, the receipt and its journal; a line arriving on another day than the open delivery\'s begins a new delivery (the open one is finished). Refused (422, field occurred_on) in the future or on or before the lock date.');
  const lineRef = {
    line: uuid('The PO line (its id); or give part'),
    part: code('The part by SKU or barcode: its first line still outstanding'),
  };
  const schemas: Record<string, Schema> = {
    Supplier: record({ id: uuid(), name: text(), currency: nullable(text()) }),
    PurchaseOrderInput: input({
      number: text('PO number (default: the next PO-nnnnn)', { maxLength: 40 }),
      supplier: code('Supplier name; created when new', 200),
      order_date: date('Default today'),
      expected_date: date(),
      currency,
      currency_rate: rateIn,
      amounts: oneOf(AMOUNTS, 'Whether unit prices include tax (default exclusive)'),
      location: code('Deliver-to location code (default: the first location by code)'),
      reference: text(undefined, { maxLength: 200 }),
      status: oneOf(['draft', 'open'], 'open (receivable at goods-in, the default) or draft'),
      lines: list(input({
        part: code('Part SKU or barcode'),
        description: text(undefined, { maxLength: 200 }),
        quantity: decimalIn('Quantity in purchase units, greater than zero', QTY_DP),
        purchase_unit: text('The unit bought in, e.g. box (default: the part\'s unit)', { maxLength: 32 }),
        units_per_purchase_unit: decimalIn('Stock units in one purchase unit (default 1), e.g. 100 for a box of 100', QTY_DP),
        unit_price: priceIn,
        tax_rate: percentIn,
        account_code: text(undefined, { maxLength: 32 }),
      }, ['part', 'quantity', 'unit_price']), { minItems: 1, maxItems: 2000 }),
    }, ['supplier', 'lines']),
    PurchaseOrderSummary: record({
      id: uuid(), number: text(), supplier: text(), status: oneOf(PO_STATUSES), order_date: date(), expected_date: nullable(date()), currency: text(),
      lines: int(), ordered: decimalOut('Ordered, stock units, all lines'), received: decimalOut('Received, stock units'), outstanding_lines: int('Lines not yet received in full'),
    }),
    PurchaseOrder: record({
      id: uuid(), number: text(), supplier: record({ id: uuid(), name: text() }), status: oneOf(PO_STATUSES), order_date: date(), expected_date: nullable(date()),
      currency: text(), currency_rate: decimalOut('Currency per 1 base unit'), amounts: oneOf(AMOUNTS), location: text('Deliver-to location code'), reference: text(),
      lines: list(poLine),
      open_delivery: nullable(ref('Delivery')),
      flagged_value: money('Buying-less total over the lines'),
    }),
    FlaggedLine: record({
      po_id: uuid(), po_number: text(), po_status: oneOf(PO_STATUSES), supplier: text(), line_no: int(), part: text(), part_name: text(),
      quantity: decimalOut('Ordered, stock units'), outstanding: decimalOut('Stock units'), free_stock: decimalOut('Free stock when ordered'), value: money('Money the line ties up'),
    }),
    PurchaseOrderImport: record({ purchase_orders: list(record({ id: uuid(), number: text(), lines: int() })), flagged: list(ref('FlaggedLine')) }),
    BuyingLess: record({ total_value: money('Money tied up by flagged lines still to arrive on open and draft POs'), lines: list(ref('FlaggedLine'), { description: 'Largest value first' }) }),
    PurchaseOrderStatusInput: input({ status: oneOf(['open', 'closed', 'cancelled', 'draft'], 'open approves a draft or reopens; closed stops it counting as on order; cancelled only with nothing received') }, ['status']),
    ReceiveInput: input({
      ...lineRef,
      quantity: decimalIn('Quantity verified, in purchase units', QTY_DP),
      lot: text('Batch code (lot-tracked parts)', { maxLength: 64 }),
      serials: list(text(undefined, { minLength: 1, maxLength: 64 }), { maxItems: 10000, description: 'One serial per stock unit (serial-tracked parts)' }),
      delivery_note: text('The supplier\'s delivery note number', { maxLength: 100 }),
      occurred_on: arrivedOn,
      approve_over_receipt: bool('An admin key approves receiving beyond the organisation\'s over-receipt tolerance'),
      approval: input({ email: text('An admin\'s email'), password: text('Their password') }, ['email', 'password']),
    }, ['quantity']),
    RejectInput: input({ ...lineRef, quantity: decimalIn('Quantity rejected, in purchase units', QTY_DP), reason: code('Why: damaged, wrong part...', 200), delivery_note: text(undefined, { maxLength: 100 }), occurred_on: arrivedOn }, ['quantity', 'reason']),
    ReceiptLine: receiptLine,
    DeliverySummary: record(deliverySummary),
    Delivery: record({ ...deliverySummary, lines: list(receiptLine, { description: 'Newest first' }) }),
    PurchaseOrderProgress: record({
      id: uuid(), number: text(), status: oneOf(PO_STATUSES), outstanding_lines: int('Lines not yet received in full'),
      line: poLine, open_delivery: nullable(ref('DeliverySummary')),
    }),
    ReceiveResult: record({ receipt_line: receiptLine, purchase_order: ref('PurchaseOrderProgress'), event_id: nullable(uuid('The stock event recorded (receipt, or the reversal of an undo)')), journal: nullable(ref('Journal')) }),
    SupplierReturnInput: input({
      receipt_line: uuid('The accepted receipt line the goods came in on (GET /deliveries/{id} lists them)'),
      quantity: decimalIn('Quantity going back, in the part\'s stock unit (serial-tracked parts: left out, the number of serials)', QTY_DP),
      serials: list(text(undefined, { minLength: 1, maxLength: 64 }), { maxItems: 10000, description: 'Serial-tracked parts: the serial of each unit going back (it must have arrived on this receipt line)' }),
      reason: code('Why: faulty, wrong part, surplus...', 200),
      occurred_on: date('Business date the goods went back; today (UTC) when left out. Not before they arrived, not in the future, not on or before the lock date.'),
    }, ['receipt_line', 'reason']),
    SupplierReturn: record({
      id: uuid(), number: int('Sequential within the organisation'), receipt_line_id: uuid(), delivery_id: uuid(), po_id: uuid(), po_number: text(), supplier: text(),
      part: text('Part SKU'), unit: text('Stock unit'), lot: nullable(text()), serials: list(text()), quantity: decimalOut('Stock units sent back'),
      unbilled_qty: decimalOut('Of them, not yet billed: taken off GRNI'), billed_qty: decimalOut('Of them, already billed: a credit note is expected'),
      value: money('Stock value sent back, at the cost of the receipt\'s own layers'), credit_expected: money('Debited to Supplier credits expected: what the credit note should cover (before tax)'),
      reason: text(), occurred_on: date(), event_id: uuid('The supplier_return stock event'), journal: nullable(ref('Journal')),
      undone: bool('Undone: the goods counted as received again'), recorded_at: text(undefined, { format: 'date-time' }),
    }),
    ReturnLine: record({ ...(receiptLine.properties as Record<string, Schema>), po_id: uuid(), po_number: text(), supplier: text() }),
    BillInput: input({
      supplier: code('Supplier name', 200),
      number: code('The supplier\'s invoice number', 60),
      reference: text('Usually the PO number: narrows matching to that PO', { maxLength: 100 }),
      date: date('Bill date'),
      currency,
      currency_rate: rateIn,
      amounts: oneOf(AMOUNTS, 'default exclusive'),
      lines: list(input({
        part: text('Part SKU or barcode (lines without one are stored, not matched)', { maxLength: 64 }),
        description: text(undefined, { maxLength: 200 }),
        quantity: decimalIn('Quantity in the PO\'s purchase units', QTY_DP),
        unit_price: priceIn,
        tax_rate: percentIn,
        account_code: text('Should be the GRNI account for received parts', { maxLength: 32 }),
      }, ['quantity', 'unit_price']), { minItems: 1, maxItems: 2000 }),
    }, ['supplier', 'number', 'date', 'lines']),
    Bill: record({
      id: uuid(), number: text(), reference: text(), supplier: text(), date: date(), currency: text(), currency_rate: decimalOut('Currency per 1 base unit'), amounts: oneOf(AMOUNTS),
      lines: list(record({
        id: uuid(), line_no: int(), part: nullable(text()), description: text(), quantity: decimalOut('Purchase units'), unit_price: decimalOut('Bill currency'), tax_rate: decimalOut('Percent'),
        account_code: text(), matched_qty: decimalOut('Stock units matched to receipts'),
        flags: list(record({ code: oneOf(['coded_elsewhere', 'billed_not_received']), message: text('What is wrong and what to do') })),
        matches: list(record({ receipt_line_id: uuid(), po_id: uuid(), po_number: text(), quantity: decimalOut('Stock units'), receipt_unit_cost: decimalOut('Base currency'), bill_unit_cost: decimalOut('Base currency'), revalued: money('Onto stock still on hand'), variance: money('To purchase price variance') })),
      })),
      revalued: money('Price difference put onto stock on hand'), variance: money('Price difference to purchase price variance'),
      event_id: nullable(uuid('The revaluation event')), journal: nullable(ref('Journal')),
    }),
    BillSummary: record({ id: uuid(), number: text(), reference: text(), supplier: text(), date: date(), currency: text(), lines: int(), flagged_lines: int(), event_id: nullable(uuid()) }),
    GrniReport: record({
      as_at: date(), total: money('Received, not invoiced, at receipt cost'),
      suppliers: list(record({ supplier: text(), value: money('Supplier total'), lines: list(record({ supplier: text(), po_id: uuid(), po_number: text(), line_no: int(), part: text(), part_name: text(), unbilled_qty: decimalOut('Stock units'), value: money('At receipt cost'), oldest_receipt: date(), age_days: int('Days since the oldest unbilled receipt') })) })),
    }),
  };

  const id = (what: string) => param('id', 'path', uuid(), `${what} id`);
  const RECEIVERS: Role[] = ['admin', 'operations'];
  const receive = (opId: string, summary: string, description: string, body: string, errors: number[] = []) => ({
    post: operation({ id: opId, tag: 'Goods-in', summary, description, roles: RECEIVERS, params: [id('Purchase order')], body: ref(body), idempotent: true, errors: [404, 409, ...errors], ok: { status: 201, description: 'The verified line and the PO\'s figures after it', schema: ref('ReceiveResult') } }),
  });
  const paths: Record<string, Schema> = {
    '/suppliers': { get: operation({ id: 'listSuppliers', tag: 'Purchasing', summary: 'Suppliers', ok: { status: 200, description: 'By name', schema: record({ suppliers: list(ref('Supplier')) }) } }) },
    '/purchase-orders': {
      get: operation({
        id: 'listPurchaseOrders', tag: 'Purchasing', summary: 'Purchase orders', errors: [422],
        params: [param('status', 'query', oneOf(['receivable', 'all', ...PO_STATUSES]), 'receivable (open: what goods-in can receive against) by default'), param('q', 'query', text(undefined, { maxLength: 100 }), 'PO number or supplier contains')],
        ok: { status: 200, description: 'Oldest first', schema: record({ purchase_orders: list(ref('PurchaseOrderSummary')) }) },
      }),
      post: operation({
        id: 'createPurchaseOrder', tag: 'Purchasing', summary: 'Create a purchase order', roles: ['admin'], body: ref('PurchaseOrderInput'), idempotent: true, errors: [409],
        description: 'Lines are ordered in purchase units and kept in stock units at a base-currency cost excluding tax. A line whose part\'s free stock already covers it is flagged with the money it would tie up.',
        ok: { status: 201, description: 'The new purchase order', schema: ref('PurchaseOrder') },
      }),
    },
    '/purchase-orders/import': {
      post: operation({
        id: 'importPurchaseOrders', tag: 'Purchasing', summary: 'Import purchase orders from CSV', roles: ['admin'], bodyType: 'text/csv', idempotent: true, errors: [409, 413, 422],
        description: `All or nothing: rows with the same po_number make one PO (its header from the first row); every problem is reported with its row and column ("row 3, quantity") and nothing is stored when any is wrong. Columns: ${PO_CSV_COLUMNS.join(', ')}.`,
        body: text('CSV with a header line', { example: 'po_number,supplier,sku,quantity,unit_price\nPO-9001,Acme,BRG-6204,10,2.50\n' }),
        ok: { status: 201, description: 'The POs created, and the lines the buying-less check flagged', schema: ref('PurchaseOrderImport') },
      }),
    },
    '/purchase-orders/{id}': { get: operation({ id: 'getPurchaseOrder', tag: 'Purchasing', summary: 'A purchase order with live figures', params: [id('Purchase order')], errors: [404], ok: { status: 200, description: 'The PO', schema: ref('PurchaseOrder') } }) },
    '/purchase-orders/{id}/status': {
      post: operation({ id: 'setPurchaseOrderStatus', tag: 'Purchasing', summary: 'Approve, close, reopen or cancel', roles: ['admin'], params: [id('Purchase order')], body: ref('PurchaseOrderStatusInput'), errors: [404, 409], ok: { status: 200, description: 'The PO after the change', schema: ref('PurchaseOrder') } }),
    },
    '/purchase-orders/{id}/receipts': receive('receivePurchaseOrderLine', 'Verify a delivered line into stock',
      'Goes to stock at once at the PO line\'s unit cost (Dr stock, Cr GRNI; one journal per line, or one per delivery as the organisation\'s policy says). Over the organisation\'s tolerance it needs approve_over_receipt (admin key) or an admin\'s approval (422 over_tolerance otherwise). A PO received in full leaves goods-in and its delivery is finished. Requests carrying an approval are limited to 20 per 10 minutes per client (429).', 'ReceiveInput', [429]),
    '/purchase-orders/{id}/rejections': receive('rejectPurchaseOrderLine', 'Reject damaged or wrong goods', 'Recorded against the line for return to the supplier; stock does not move and the line stays outstanding.', 'RejectInput'),
    '/receipt-lines/{id}/undo': {
      post: operation({ id: 'undoReceiptLine', tag: 'Goods-in', summary: 'Undo a verified line', description: 'An accepted line is reversed (a new event; nothing deleted) and leaves the PO\'s received figure. 409 when already undone or billed.', roles: RECEIVERS, params: [id('Receipt line')], idempotent: true, errors: [404, 409], ok: { status: 201, description: 'The undone line and the PO after it', schema: ref('ReceiveResult') } }),
    },
    '/deliveries/{id}': { get: operation({ id: 'getDelivery', tag: 'Goods-in', summary: 'A delivery and its verified lines', params: [id('Delivery')], errors: [404], ok: { status: 200, description: 'The delivery', schema: ref('Delivery') } }) },
    '/deliveries/{id}/finish': {
      post: operation({ id: 'finishDelivery', tag: 'Goods-in', summary: 'Finish a delivery', description: 'Under a journal-per-delivery policy its one journal is written now. Finishing twice changes nothing.', roles: RECEIVERS, params: [id('Delivery')], errors: [404], ok: { status: 200, description: 'The finished delivery', schema: ref('Delivery') } }),
    },
    '/returns': { get: operation({ id: 'listReturns', tag: 'Goods-in', summary: 'Rejected goods awaiting return to the supplier', ok: { status: 200, description: 'Oldest first', schema: record({ returns: list(ref('ReturnLine')) }) } }) },
    '/returns/{id}/returned': {
      post: operation({ id: 'markReturned', tag: 'Goods-in', summary: 'Rejected goods sent back', roles: RECEIVERS, params: [id('Rejected receipt line')], errors: [404, 409], ok: { status: 200, description: 'The returns still waiting', schema: record({ returns: list(ref('ReturnLine')) }) } }),
    },
    '/supplier-returns': {
      get: operation({ id: 'listSupplierReturns', tag: 'Goods-in', summary: 'Received stock sent back to suppliers', ok: { status: 200, description: 'Newest first (200 at most); journal is null here (open one for it)', schema: record({ supplier_returns: list(ref('SupplierReturn')) }) } }),
      post: operation({
        id: 'returnToSupplier', tag: 'Goods-in', summary: 'Return received stock to its supplier', roles: RECEIVERS, body: ref('SupplierReturnInput'), idempotent: true, errors: [404, 409],
        description: 'Against the receipt line the goods came in on. They leave stock at the cost of that receipt\'s own cost layers (not in FIFO/LIFO order; under weighted average, at the average); 409 when they are no longer at the receiving location. Units not yet billed are credited back to GRNI (Dr GRNI, Cr stock; no bill will match them), units already billed go to Supplier credits expected (Dr Supplier credits expected, Cr stock) until the credit note arrives. The PO line\'s received quantity goes down, so it is outstanding again (a PO received in full reopens for a replacement; close it if none is coming).',
        ok: { status: 201, description: 'The return with its journal', schema: ref('SupplierReturn') },
      }),
    },
    '/supplier-returns/{id}': { get: operation({ id: 'getSupplierReturn', tag: 'Goods-in', summary: 'A supplier return', params: [id('Supplier return')], errors: [404], ok: { status: 200, description: 'The return with its journal', schema: ref('SupplierReturn') } }) },
    '/supplier-returns/{id}/undo': {
      post: operation({ id: 'undoSupplierReturn', tag: 'Goods-in', summary: 'Undo a supplier return', description: 'Its event is reversed (a new event; the units go back into the layers they left and the journal is answered line for line) and the receipt and PO lines count them as received again. 409 when already undone.', roles: RECEIVERS, params: [id('Supplier return')], idempotent: true, errors: [404, 409], ok: { status: 201, description: 'The return, undone', schema: ref('SupplierReturn') } }),
    },
    '/bills': {
      get: operation({ id: 'listBills', tag: 'Bills', summary: 'Supplier bills', ok: { status: 200, description: 'Newest first', schema: record({ bills: list(ref('BillSummary')) }) } }),
      post: operation({
        id: 'recordBill', tag: 'Bills', summary: 'Record a supplier bill', roles: ['admin', 'bookkeeper'], body: ref('BillInput'), idempotent: true, errors: [409],
        description: 'Lines are matched to unbilled goods-in receipts (same supplier and part; the PO named in reference first). A price different from the receipt\'s revalues the stock still on hand and sends the rest to purchase price variance, in one journal against GRNI. Lines coded to an account other than GRNI, or billing more than was received, are flagged.',
        ok: { status: 201, description: 'The bill with its matches, flags and journal', schema: ref('Bill') },
      }),
    },
    '/bills/{id}': { get: operation({ id: 'getBill', tag: 'Bills', summary: 'A bill', params: [id('Bill')], errors: [404], ok: { status: 200, description: 'The bill', schema: ref('Bill') } }) },
    '/reports/buying-less': { get: operation({ id: 'getBuyingLess', tag: 'Purchasing', summary: 'Purchase lines free stock already covers', description: 'Lines flagged when ordered because free stock (on hand - allocated + on order - demand) already covered them, still to arrive on open or draft POs: stop them before the goods arrive.', ok: { status: 200, description: 'The flagged lines and their total', schema: ref('BuyingLess') } }) },
    '/reports/grni': { get: operation({ id: 'getGrniReport', tag: 'Bills', summary: 'Goods received not invoiced', description: 'By supplier and PO line, at receipt cost, with the age of the oldest unbilled receipt.', ok: { status: 200, description: 'The report', schema: ref('GrniReport') } }) },
  };
  return {
    schemas,
    paths,
    tags: [
      { name: 'Purchasing', description: 'Suppliers and purchase orders' },
      { name: 'Goods-in', description: 'Deliveries verified line by line against purchase orders' },
      { name: 'Bills', description: 'Supplier bills, price differences and GRNI' },
    ],
  };
}
