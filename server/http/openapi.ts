import { ACCOUNT_ROLES } from '../domain/accounting';
import { QTY_DP, COST_DP } from '../domain/decimal';
import { PART_CSV_COLUMNS } from '../services/import-parts';
import { purchasingDoc } from './openapi-purchasing';
import { bomsDoc } from './openapi-boms';
import { jobsDoc } from './openapi-jobs';
import { planningDoc } from './openapi-planning';
import { webhooksDoc } from './openapi-webhooks';
import { xeroDoc } from './openapi-xero';
import { xeroDocumentsDoc } from './openapi-xero-documents';
import { xeroSyncDoc } from './openapi-xero-sync';
import { journalExceptionsDoc } from './openapi-journal-exceptions';

// The OpenAPI 3.0.3 description of /api/v1. test/http/openapi.test.ts checks that every route the
// router serves is described here (and nothing else), and validates real responses against it.

type Schema = { [key: string]: unknown };
type Role = 'admin' | 'operations' | 'bookkeeper';

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
// In 3.0 `nullable` beside a $ref is ignored, so a nullable reference wraps it in allOf.
const nullable = (s: Schema): Schema => ('$ref' in s ? { allOf: [s], nullable: true } : { ...s, nullable: true });
const text = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const int = (description?: string, extra: Schema = {}): Schema => ({ type: 'integer', ...(description ? { description } : {}), ...extra });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const oneOf = (values: readonly string[], description?: string): Schema => text(description, { enum: [...values] });
const list = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const date = (description?: string): Schema => text(description, { format: 'date', example: '2026-11-25' });
const uuid = (description?: string): Schema => text(description, { format: 'uuid' });
const code = (what: string, max = 64): Schema => text(what, { minLength: 1, maxLength: max });

/** A response object: every property is always present (null where the schema says nullable). */
const record = (properties: Record<string, Schema>): Schema => ({ type: 'object', required: Object.keys(properties), properties });
/** A request object: unknown properties are refused (422), only `required` must be given. */
const input = (properties: Record<string, Schema>, required: string[] = []): Schema =>
  ({ type: 'object', additionalProperties: false, ...(required.length ? { required } : {}), properties });

// Decimals travel as strings so no float ever holds a quantity or an amount.
const NUMBERS_NOTE = 'Send a decimal string; a JSON number is also accepted and read from its shortest text (0.1 is 0.1), but a string avoids float rounding in your client. Exponent notation ("1e3") is refused.';
const decimalIn = (what: string, dp: number, signed = false): Schema =>
  text(`${what}, at most ${dp} decimal places and 1000000000000 in size. ${NUMBERS_NOTE}`, { pattern: `^${signed ? '-?' : ''}\\d{1,13}(\\.\\d{1,${dp}})?$`, example: signed ? '-2.5' : '12.5' });
const quantityIn = decimalIn('Quantity, greater than zero', QTY_DP);
const unitCostIn = decimalIn('Unit cost in the base currency, zero or more', COST_DP);
const decimalOut = (description: string): Schema => text(`${description} (an exact decimal string)`, { pattern: '^-?\\d+(\\.\\d+)?$', example: '12.5' });
const money = (description: string): Schema => text(`${description} (rounded to the base currency's minor unit: 2 places for GBP, 0 for JPY, 3 for KWD)`, { pattern: '^-?\\d+(\\.\\d{1,3})?$', example: '31.00' });

const EVENT_KINDS = ['opening_balance', 'receipt', 'issue', 'adjustment', 'transfer', 'reversal', 'revaluation', 'job_consumption', 'job_completion', 'dispatch', 'supplier_return'] as const;
const TRACKING = ['none', 'lot', 'serial'] as const;
const STOCK_ROLES = ['raw_materials', 'finished_goods'] as const;

const header = {
  occurred_on: date('Business date of the event; today (UTC) when left out. Must be after the lock date.'),
  reference: text('Your reference (purchase order, job...)', { maxLength: 100 }),
  reason: text('A note kept with the event', { maxLength: 200 }),
};
const lineTracking = {
  lot: text('Batch code: required for lot-tracked parts, refused for others', { maxLength: 64 }),
  serials: list(text(undefined, { minLength: 1, maxLength: 64 }), { maxItems: 10000, description: 'One serial per unit for serial-tracked parts (a string split on spaces, commas or semicolons is also accepted)' }),
};
const stockLine = { part: code('Part SKU, or its barcode'), location: code('Location code') };
const lines = (line: Schema): Schema => list(line, { minItems: 1, maxItems: 1000 });

const movement = {
  id: uuid(),
  part: text('Part SKU'),
  location: text('Location code'),
  lot: nullable(text()),
  serial: nullable(text()),
  quantity: decimalOut('Signed quantity: positive in, negative out'),
  unit_cost: decimalOut('Unit cost'),
  value: decimalOut('Signed value at full precision'),
};
const journal = {
  id: uuid(),
  number: int('Sequential journal number within the organisation'),
  date: date(),
  narration: text(),
  lines: list(record({ account_code: text('The account\'s code in the mapping'), account_name: text(), role: oneOf(ACCOUNT_ROLES, 'The part the account plays (Settings → Account mapping)'), debit: money('Debit'), credit: money('Credit') })),
};
const event = {
  id: uuid(),
  kind: oneOf(EVENT_KINDS),
  occurred_on: date(),
  reference: text(),
  reason: text(),
  reverses_event_id: nullable(uuid('The event this one reverses')),
  movements: list(record(movement)),
  journal: nullable(ref('Journal')),
};
const posting = record({ status: oneOf(['pending', 'done', 'failed', 'dead'], 'State of the push to the accounting system'), label: text(), error: nullable(text()) });
const journalSummary = record({ id: uuid(), number: int(), date: date(), narration: text(), source_path: text('The page of the event behind it'), total: money('Total of the debits'), posting });
const figures = { on_hand: decimalOut('On hand'), allocated: decimalOut('Allocated to jobs'), available: decimalOut('On hand less allocated') };
const account = (max: { code: number; name: number } | null) => (max ? input({ code: code('Account code', max.code), name: code('Account name', max.name) }, ['code', 'name']) : record({ code: text(), name: text() }));

const schemas: Record<string, Schema> = {
  Error: record({
    error: record({
      code: text('Machine-readable: invalid, insufficient_stock, period_closed, not_found, conflict, unauthorised, forbidden, malformed_json, too_large...'),
      message: text('For people: names the part, location and quantity where there are any'),
      fields: list(record({ field: text('The input at fault: "lines.0.quantity", "lines.1.part", "lines.0.serials.2", "occurred_on", "Idempotency-Key", "line 3: unit_cost"...'), message: text() })),
    }),
  }),
  InboundCommand: input({ ...header, lines: lines(input({ ...stockLine, quantity: quantityIn, unit_cost: unitCostIn, ...lineTracking }, ['part', 'location', 'quantity', 'unit_cost'])) }, ['lines']),
  IssueCommand: input({
    ...header,
    expense_account: oneOf(['cogs', 'scrap', 'stock_adjustments'], 'Account the issued value is charged to (default cogs)'),
    lines: lines(input({ ...stockLine, quantity: quantityIn, ...lineTracking }, ['part', 'location', 'quantity'])),
  }, ['lines']),
  AdjustmentCommand: input({
    ...header,
    lines: lines(input({
      ...stockLine,
      quantity: decimalIn('Signed quantity, not zero: positive for stock found, negative for stock lost', QTY_DP, true),
      unit_cost: decimalIn('Unit cost of stock found; left out, the part\'s current cost at the location', COST_DP),
      ...lineTracking,
    }, ['part', 'location', 'quantity'])),
  }, ['lines']),
  TransferCommand: input({
    ...header,
    lines: lines(input({ part: code('Part SKU'), from: code('Location code to move from'), to: code('Location code to move to (not the same as from)'), quantity: quantityIn, ...lineTracking }, ['part', 'from', 'to', 'quantity'])),
  }, ['lines']),
  ReversalCommand: input({ occurred_on: header.occurred_on, reason: header.reason }),
  Journal: record(journal),
  Event: record(event),
  EventDetail: record({ ...event, recorded_at: text('When it was recorded', { format: 'date-time' }), reversed_by_event_id: nullable(uuid('The event that reversed this one')), source: nullable(record({ kind: oneOf(['job', 'dispatch'] as const), number: text('Job card or dispatch number'), path: text('Its page') })) }),
  PartInput: input({
    sku: code('SKU: letters, digits and . _ - /', 64),
    name: code('Name', 200),
    description: text(undefined, { maxLength: 2000 }),
    unit: text('Unit of measure (default each)', { maxLength: 20 }),
    fractional: bool('Whether quantities may have decimals (default false)'),
    barcode: text(undefined, { maxLength: 64 }),
    source: oneOf(['bought', 'made', 'both'], 'Made parts are valued on finished goods, the others on raw materials (default bought)'),
    tracking: oneOf(TRACKING, 'default none'),
    reorder_point: nullable(quantityIn),
    default_location: text('Location code', { maxLength: 64 }),
  }, ['sku', 'name']),
  PartDetail: record({
    part: record({
      id: uuid(), sku: text(), name: text(), description: text(), unit: text(), fractional: bool(), barcode: nullable(text()),
      source: oneOf(['bought', 'made', 'both']), tracking: oneOf(TRACKING), reorder_point: nullable(decimalOut('Reorder point')),
      default_location: nullable(text('Location code')), stock_account: oneOf(STOCK_ROLES, 'The stock account the part is valued on'),
    }),
    figures: record({ ...figures, value: money('Stock value') }),
    balances: list(record({ location: text(), lot: nullable(text()), ...figures, value: money('Value of this location and lot') })),
    layers: list(record({
      id: uuid(), location: text(), lot: nullable(text('Batch code: lots are costed separately')),
      remaining_qty: decimalOut('Quantity left'),
      unit_cost: decimalOut('Unit cost now: value left over quantity left, after weighted-average merges and bill price differences'),
      remaining_value: money('Value left'),
      original_qty: decimalOut('Quantity of the receipt that opened the layer (weighted-average receipts merged since are not in it)'),
      original_unit_cost: decimalOut('Unit cost the layer was opened at, before merges and bill price differences'),
    })),
    movements: list(record({
      id: uuid(), event_id: uuid(), kind: oneOf(EVENT_KINDS), reference: text(), occurred_on: date(), recorded_at: text(undefined, { format: 'date-time' }),
      location: text(), lot: nullable(text()), serial: nullable(text()), quantity: decimalOut('Signed quantity'), unit_cost: decimalOut('Unit cost'), value: money('Signed value'),
    }), { description: 'The latest 200, newest first' }),
    serials: list(record({ serial: text(), location: nullable(text()), lot: nullable(text()) }), { description: 'Serials in stock (serial-tracked parts)' }),
  }),
  StockRow: record({ sku: text(), name: text(), unit: text(), tracking: oneOf(TRACKING), reorder_point: nullable(decimalOut('Reorder point')), ...figures, value: money('Stock value') }),
  LocationInput: input({ code: code('Code: letters, digits and . _ - /'), name: code('Name', 200), warehouse: code('Warehouse', 100), bin: text(undefined, { maxLength: 64 }) }, ['code', 'name', 'warehouse']),
  Location: record({ id: uuid(), code: text(), name: text(), warehouse: text(), bin: nullable(text()) }),
  ImportResult: record({ parts_created: int(), stock_lines: int('Opening stock lines recorded'), event: nullable(ref('Event')) }),
  // lines only with ?include=lines, so it is not among the required properties.
  JournalSummary: { ...journalSummary, properties: { ...(journalSummary.properties as Schema), lines: { ...journal.lines, description: 'Only with ?include=lines' } } },
  JournalDetail: record({
    ...journal, event_id: nullable(uuid('The stock event behind it; null for a delivery\'s one journal')), source_path: text(), posting,
    accounting_system: nullable(text('Where it was posted (xero, offline...); null until posted')),
    accounting_system_id: nullable(text('Its id in the accounting system (a Xero ManualJournalID); null until posted')),
    sends: list(ref('JournalSend'), { description: 'Each send attempt, newest first: the codes it went on and the answer' }),
  }),
  Valuation: record({
    as_at: nullable(date('The date asked for; null for now')),
    total: money('Total stock value'),
    by_account: list(record({ role: oneOf(STOCK_ROLES), label: text(), value: money('Value') })),
    lines: list(record({ sku: text(), name: text(), location: text(), role: oneOf(STOCK_ROLES), quantity: decimalOut('Quantity'), value: money('Value') })),
  }),
  Reconciliation: record({
    reconciled: bool('Every stock account agrees with its journals'),
    accounts: list(record({
      role: oneOf(['raw_materials', 'wip', 'finished_goods']), label: text(), account_code: text(), account_name: text(),
      layer_value: money('Value held in cost layers'), exact_layer_value: decimalOut('The same, unrounded'), journal_total: money('Sum of journal lines on the account'),
      held_for_delivery_journals: money('Lines held for open deliveries\' journals (journal-per-delivery policy)'),
      difference: money('layer_value less journal_total and held_for_delivery_journals'), reconciled: bool(),
    })),
  }),
  Settings: record({
    name: text('Organisation name'),
    base_currency: text(undefined, { example: 'GBP' }),
    reporting_framework: oneOf(['IFRS', 'FRS102', 'US_GAAP']),
    valuation_method: oneOf(['fifo', 'weighted_average', 'lifo']),
    valuation_method_locked: bool('True once stock has moved: the method can no longer change'),
    lock_date: nullable(date('Nothing may be dated on or before it')),
    over_receipt_tolerance_pct: decimalOut('Goods-in may receive this % over the ordered quantity without an admin\'s approval'),
    receipt_journal_per: oneOf(['line', 'delivery'], 'A goods-in journal per verified line, or one per delivery'),
    accounts: record(Object.fromEntries(ACCOUNT_ROLES.map((r) => [r, account(null)]))),
  }),
  SettingsPatch: input({
    name: code('Organisation name', 200),
    reporting_framework: oneOf(['IFRS', 'FRS102', 'US_GAAP']),
    valuation_method: oneOf(['fifo', 'weighted_average', 'lifo'], 'lifo only under US_GAAP; fixed once stock has moved'),
    lock_date: nullable(date('Closes every date up to and including it; null or "" opens all dates')),
    accounts: input(Object.fromEntries(ACCOUNT_ROLES.map((r) => [r, account({ code: 20, name: 150 })]))),
    over_receipt_tolerance_pct: decimalIn('Over-receipt tolerance %: how far over a PO line\'s ordered quantity goods-in may receive without an admin\'s approval; 0 to 1000, default 5', 4),
    receipt_journal_per: oneOf(['line', 'delivery'], 'Receipt posting: a journal per verified line, or one journal per delivery (posted when it is finished); a delivery keeps the policy it began with'),
  }),
};

const errorResponse = (description: string): Schema => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const responses: Record<string, Schema> = {
  MalformedJson: errorResponse('The body is not valid JSON (code malformed_json)'),
  Unauthorised: errorResponse('No API key, or a malformed, unknown or revoked one (code unauthorised)'),
  Forbidden: errorResponse('The key\'s role may not do this (code forbidden)'),
  NotFound: errorResponse('No such resource in this organisation (code not_found); a part unknown in a one-line command also answers 404'),
  Conflict: errorResponse('Conflicts with what exists (code conflict): a duplicate, an event already reversed, a serial already in stock, or an Idempotency-Key reused for a different request'),
  TooLarge: errorResponse('The body is over the size limit (code too_large)'),
  TooManyRequests: errorResponse('Too many attempts from this client (code too_many_requests); wait and retry'),
  Invalid: errorResponse('The input is wrong (codes invalid, insufficient_stock, period_closed): error.fields names each field at fault. Nothing was written.'),
};
const ERROR_REFS: Record<number, string> = { 400: 'MalformedJson', 401: 'Unauthorised', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 413: 'TooLarge', 422: 'Invalid', 429: 'TooManyRequests' };

const param = (name: string, where: 'path' | 'query' | 'header', schema: Schema, description: string, required = where === 'path'): Schema => ({ name, in: where, required, description, schema });
const parameters: Record<string, Schema> = {
  IdempotencyKey: param('Idempotency-Key', 'header', text(undefined, { pattern: '^[\\x21-\\x7e]{1,128}$' }),
    'Makes the POST safe to retry: the same key with the same request returns the original response (with Idempotent-Replayed: true) and records nothing new; the same key with a different request answers 409.'),
  Limit: param('limit', 'query', int(undefined, { minimum: 1, maximum: 500 }), 'Page size'),
  Offset: param('offset', 'query', int(undefined, { minimum: 0 }), 'Rows to skip'),
  EventId: param('id', 'path', uuid(), 'Stock event id'),
  JournalId: param('id', 'path', uuid(), 'Journal id'),
  Sku: param('sku', 'path', text(), 'Part SKU (URL-encode a "/" in it as %2F)'),
};
const parameterRef = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

type Operation = {
  id: string;
  tag: string;
  summary: string;
  description?: string;
  roles?: Role[];
  params?: Schema[];
  body?: Schema;
  bodyType?: string;
  optionalBody?: boolean;
  idempotent?: boolean;
  ok: { status: 200 | 201; description: string; schema: Schema; type?: string };
  errors?: number[];
  public?: boolean;
};

function operation(o: Operation): Schema {
  const json = o.body && !o.bodyType;
  const errors = new Set([...(o.public ? [] : [401]), ...(o.roles ? [403] : []), ...(json ? [400, 413, 422] : []), ...(o.errors ?? [])]);
  const who = o.roles ? `Roles: ${o.roles.join(', ')}.` : o.public ? 'No API key needed.' : 'Any role.';
  const ok: Schema = { description: o.ok.description, content: { [o.ok.type ?? 'application/json']: { schema: o.ok.schema } } };
  if (o.idempotent) ok.headers = { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } };
  return {
    operationId: o.id,
    tags: [o.tag],
    summary: o.summary,
    description: [o.description, who].filter(Boolean).join('\n\n'),
    ...(o.public ? { security: [] } : {}),
    ...(o.idempotent || o.params ? { parameters: [...(o.idempotent ? [parameterRef('IdempotencyKey')] : []), ...(o.params ?? [])] } : {}),
    ...(o.body ? { requestBody: { required: !o.optionalBody, content: { [o.bodyType ?? 'application/json']: { schema: o.body } } } } : {}),
    responses: {
      [o.ok.status]: ok,
      ...Object.fromEntries([...errors].sort((a, b) => a - b).map((s) => [s, { $ref: `#/components/responses/${ERROR_REFS[s]}` }])),
    },
  };
}

const STOCK_WRITE: Role[] = ['admin', 'operations'];
const stockCommand = (id: string, summary: string, body: string, description: string, roles = STOCK_WRITE): Schema => ({
  post: operation({ id, tag: 'Stock', summary, description, roles, body: ref(body), idempotent: true, errors: [404, 409], ok: { status: 201, description: 'The event recorded, with its movements and journal', schema: ref('Event') } }),
});

const paths: Record<string, Schema> = {
  '/openapi.json': { get: operation({ id: 'getOpenApiDocument', tag: 'Meta', summary: 'This document', public: true, ok: { status: 200, description: 'OpenAPI 3.0.3', schema: { type: 'object' } } }) },
  '/stock/opening-balances': stockCommand('createOpeningBalance', 'Record opening stock', 'InboundCommand', 'Stock on hand when you start: Dr stock, Cr the opening balance account.', ['admin']),
  '/stock/receipts': stockCommand('createReceipt', 'Receive stock', 'InboundCommand', 'Goods in at a unit cost: Dr stock, Cr goods received not invoiced.'),
  '/stock/issues': stockCommand('createIssue', 'Issue stock', 'IssueCommand', 'Goods out, valued by the organisation\'s method: Dr the expense account, Cr stock. Refused (422 insufficient_stock) when not enough is available.'),
  '/stock/adjustments': stockCommand('createAdjustment', 'Adjust stock', 'AdjustmentCommand', 'Found (positive) or lost (negative) stock, against stock adjustments.'),
  '/stock/transfers': stockCommand('createTransfer', 'Transfer stock', 'TransferCommand', 'Moves stock between locations at the cost it carries; a journal only when the value changes account.'),
  '/events/{id}': { get: operation({ id: 'getEvent', tag: 'Stock', summary: 'A stock event', params: [parameterRef('EventId')], errors: [404], ok: { status: 200, description: 'The event', schema: ref('EventDetail') } }) },
  '/events/{id}/reversal': {
    post: operation({
      id: 'reverseEvent', tag: 'Stock', summary: 'Reverse a stock event', roles: STOCK_WRITE, params: [parameterRef('EventId')], body: ref('ReversalCommand'), optionalBody: true, idempotent: true, errors: [404, 409],
      description: 'Records a new event answering each movement with its opposite at the value it carried; nothing is deleted. The body may be left out. 409 when already reversed, when it is itself a reversal, or when the stock has moved on.',
      ok: { status: 201, description: 'The reversing event', schema: ref('Event') },
    }),
  },
  '/parts': {
    get: operation({
      id: 'listParts', tag: 'Parts', summary: 'Parts with their stock figures', errors: [422],
      params: [
        param('q', 'query', text(undefined, { maxLength: 100 }), 'Search in SKU and name; exact barcode'),
        param('location', 'query', text(undefined, { maxLength: 64 }), 'Only stock at this location code'),
        param('tracking', 'query', oneOf(TRACKING), 'Only parts tracked this way'),
        param('below_reorder', 'query', oneOf(['true', 'false', 'on']), 'Only parts whose available stock is at or below their reorder point'),
        parameterRef('Limit'), parameterRef('Offset'),
      ],
      ok: { status: 200, description: 'Parts by SKU (100 unless limit says otherwise)', schema: record({ parts: list(ref('StockRow')), total: int('Parts matching the filters, over all pages'), limit: int(), offset: int() }) },
    }),
    post: operation({ id: 'createPart', tag: 'Parts', summary: 'Create a part', roles: STOCK_WRITE, body: ref('PartInput'), errors: [409], ok: { status: 201, description: 'The new part', schema: ref('PartDetail') } }),
  },
  '/parts/import': {
    post: operation({
      id: 'importParts', tag: 'Parts', summary: 'Import parts and opening stock from CSV', roles: ['admin'], bodyType: 'text/csv', errors: [413, 422],
      description: `All or nothing: every problem is reported by row and column ("Row 7 · quantity: must be greater than zero"), each new part checked as POST /parts checks it, and nothing is written when any is wrong. Columns: ${PART_CSV_COLUMNS.join(', ')}. Rows with a location, quantity and unit_cost become one opening balance event.`,
      params: [param('occurred_on', 'query', date(), 'Business date of the opening stock (default today)')],
      body: text('CSV with a header line', { example: 'sku,name,location,quantity,unit_cost\nBRG-6204,Bearing 6204,MAIN,10,2.50\n' }),
      ok: { status: 201, description: 'What was imported', schema: ref('ImportResult') },
    }),
  },
  '/parts/{sku}': { get: operation({ id: 'getPart', tag: 'Parts', summary: 'A part with balances, cost layers and movements', params: [parameterRef('Sku')], errors: [404], ok: { status: 200, description: 'The part', schema: ref('PartDetail') } }) },
  '/locations': {
    get: operation({ id: 'listLocations', tag: 'Parts', summary: 'Locations', ok: { status: 200, description: 'Locations by code', schema: record({ locations: list(ref('Location')) }) } }),
    post: operation({ id: 'createLocation', tag: 'Parts', summary: 'Create a location', roles: ['admin'], body: ref('LocationInput'), errors: [409], ok: { status: 201, description: 'The new location', schema: ref('Location') } }),
  },
  '/journals': {
    get: operation({
      id: 'listJournals', tag: 'Accounting', summary: 'Journals, newest first', errors: [422],
      params: [parameterRef('Limit'), parameterRef('Offset'), param('include', 'query', oneOf(['lines']), 'lines: each journal with its lines (account codes, roles, debits, credits)')],
      ok: { status: 200, description: 'Journals (50 unless limit says otherwise)', schema: record({ journals: list(ref('JournalSummary')) }) },
    }),
  },
  '/journals.csv': {
    get: operation({ id: 'exportJournalsCsv', tag: 'Accounting', summary: 'All journal lines as CSV', description: 'Columns: date, journal, narration, account_code, account_name, debit, credit.', ok: { status: 200, type: 'text/csv', description: 'CSV attachment', schema: text() } }),
  },
  '/journals/{id}': { get: operation({ id: 'getJournal', tag: 'Accounting', summary: 'A journal with its lines and posting state', description: 'Another organisation\'s journal is not found (404), as an unknown one.', params: [parameterRef('JournalId')], errors: [404], ok: { status: 200, description: 'The journal', schema: ref('JournalDetail') } }) },
  '/valuation': {
    get: operation({ id: 'getValuation', tag: 'Accounting', summary: 'Stock value per part and location', params: [param('as_at', 'query', date(), 'Value at the end of this business date (default: now)')], errors: [422], ok: { status: 200, description: 'The valuation', schema: ref('Valuation') } }),
  },
  '/reconciliation': { get: operation({ id: 'getReconciliation', tag: 'Accounting', summary: 'Cost layers against the journals, per stock account', ok: { status: 200, description: 'The reconciliation', schema: ref('Reconciliation') } }) },
  '/settings': {
    get: operation({ id: 'getSettings', tag: 'Settings', summary: 'Organisation settings and account mapping', ok: { status: 200, description: 'The settings', schema: ref('Settings') } }),
    patch: operation({ id: 'updateSettings', tag: 'Settings', summary: 'Change settings', description: 'Only the fields given change.', roles: ['admin'], body: ref('SettingsPatch'), ok: { status: 200, description: 'The settings after the change', schema: ref('Settings') } }),
  },
};

const DESCRIPTION = `Perpetual inventory with journals for your accounting system.

Authenticate with an organisation's API key: \`Authorization: Bearer pk_...\` (Settings → API keys). Every key has a role: admin, operations or bookkeeper.

Quantities, costs and values are decimal strings. Dates are business dates, \`YYYY-MM-DD\`. Errors answer \`{"error": {"code", "message", "fields": [{"field", "message"}]}}\`; a 4xx has changed nothing.

Stock-changing POSTs take an \`Idempotency-Key\` header so that a retry never records stock twice.`;

const purchasing = purchasingDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const boms = bomsDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const jobs = jobsDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const planning = planningDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const webhooks = webhooksDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const xero = xeroDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const xeroDocuments = xeroDocumentsDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const xeroSync = xeroSyncDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });
const journalExceptions = journalExceptionsDoc({ ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation });

/** The OpenAPI document for /api/v1, served at /api/v1/openapi.json. */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Perpetua API', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: `${publicUrl}/api/v1` }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'Stock', description: 'Stock events: each records movements, cost layers and one journal' },
      { name: 'Parts', description: 'Parts, locations and CSV import' },
      { name: 'Accounting', description: 'Journals, valuation and reconciliation' },
      ...purchasing.tags,
      ...boms.tags,
      ...jobs.tags,
      ...planning.tags,
      ...webhooks.tags,
      ...xero.tags,
      ...xeroDocuments.tags,
      ...xeroSync.tags,
      { name: 'Settings', description: 'Organisation settings' },
      { name: 'Meta', description: 'This description' },
    ],
    paths: { ...paths, ...purchasing.paths, ...boms.paths, ...jobs.paths, ...planning.paths, ...webhooks.paths, ...xero.paths, ...xeroDocuments.paths, ...xeroSync.paths, ...journalExceptions.paths },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'pk_<12 hex>_<secret>', description: 'An organisation API key' } },
      headers: { IdempotentReplayed: { description: '"true" when this is the stored response to an earlier request with the same Idempotency-Key, else "false"', schema: oneOf(['true', 'false']) } },
      parameters,
      responses,
      schemas: { ...schemas, ...purchasing.schemas, ...boms.schemas, ...jobs.schemas, ...planning.schemas, ...webhooks.schemas, ...xero.schemas, ...xeroDocuments.schemas, ...xeroSync.schemas, ...journalExceptions.schemas },
    },
  };
}
