import { OpenApiKit } from './openapi-purchasing';
import { OUTCOMES } from '../connectors/xero/invoices';

// The Xero bills and invoices part of the OpenAPI document (see openapi.ts, which lends its
// schema helpers and merges these in).

type Schema = { [key: string]: unknown };

const MODES = ['off', 'auto'] as const;
const OUTCOME_HELP = 'recorded (as a bill here), dispatched, listed (waiting for a person, or for approval in Xero), skipped (nothing to do) or failed (see message; retry once fixed)';

export function xeroDocumentsDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, oneOf, list, uuid, record, input, param, operation } = k;
  const timestamp = (what: string) => text(what, { format: 'date-time' });
  const id = param('id', 'path', uuid(), 'The document\'s id here (not Xero\'s InvoiceID)');

  const schemas: Record<string, Schema> = {
    XeroDocument: record({
      id: uuid(),
      kind: oneOf(['bill', 'sales_invoice'], 'A supplier bill (ACCPAY) or a sales invoice (ACCREC)'),
      external_id: text('Xero\'s InvoiceID'),
      number: text('The invoice number in Xero (for a bill, the supplier\'s)'),
      contact_name: text('The supplier or customer'),
      external_status: text('The status in Xero when last fetched', { example: 'AUTHORISED' }),
      external_updated_at: nullable(timestamp('UpdatedDateUTC in Xero when last fetched')),
      outcome: oneOf(OUTCOMES, OUTCOME_HELP),
      message: text('What was wrong or what a person should do, naming the line and item'),
      local_id: nullable(uuid('The bill or dispatch it became here')),
      local_number: nullable(text('That bill\'s or dispatch\'s number')),
      link: nullable(text('Its page here')),
      pending: nullable(text('A fetch waiting in the queue: DISPATCH or RETRY (asked for here), CREATE or UPDATE (from Xero)')),
      updated_at: timestamp('When the outcome was last written'),
    }),
    SalesInvoiceDispatchSetting: input({ mode: oneOf(MODES, 'off: approved sales invoices are listed; auto: those for finished goods dispatch them') }, ['mode']),
  };
  const one = record({ document: ref('XeroDocument') });
  const paths: Record<string, Schema> = {
    '/xero/documents': {
      get: operation({
        id: 'listXeroDocuments', tag: 'Xero documents', summary: 'Bills and sales invoices from Xero, and what became of each', roles: ['admin', 'bookkeeper'], errors: [422],
        description: 'The 200 most recently changed, newest first, with the organisation\'s sales-invoice dispatch setting (null when Xero is not connected).',
        params: [param('kind', 'query', oneOf(['bill', 'sales_invoice']), 'Only this kind'), param('outcome', 'query', oneOf(OUTCOMES), 'Only this outcome')],
        ok: { status: 200, description: 'The documents', schema: record({ sales_invoice_dispatch: nullable(oneOf(MODES)), documents: list(ref('XeroDocument')) }) },
      }),
    },
    '/xero/documents/{id}/dispatch': {
      post: operation({
        id: 'dispatchXeroInvoice', tag: 'Xero documents', summary: 'Dispatch a listed or failed sales invoice', roles: ['admin', 'bookkeeper'], params: [id], errors: [404, 409],
        description: 'Queues the dispatch: the invoice is fetched from Xero as it is now and its finished goods dispatched (Dr Cost of goods sold, Cr Finished goods), once per invoice however often this is asked. The document shows `pending: DISPATCH` until then.',
        ok: { status: 200, description: 'The document, with the dispatch queued', schema: one },
      }),
    },
    '/xero/documents/{id}/retry': {
      post: operation({
        id: 'retryXeroDocument', tag: 'Xero documents', summary: 'Fetch a failed bill or invoice from Xero again', roles: ['admin', 'bookkeeper'], params: [id], errors: [404, 409],
        description: 'Queues a fresh fetch, after the problem named in its message has been fixed here or in Xero.',
        ok: { status: 200, description: 'The document, with the fetch queued', schema: one },
      }),
    },
    '/xero/settings/sales-invoice-dispatch': {
      put: operation({
        id: 'setSalesInvoiceDispatch', tag: 'Xero documents', summary: 'Dispatch finished goods automatically from approved sales invoices, or list them', roles: ['admin'], errors: [404],
        body: ref('SalesInvoiceDispatchSetting'),
        ok: { status: 200, description: 'The setting now', schema: record({ sales_invoice_dispatch: oneOf(MODES) }) },
      }),
    },
  };
  return { schemas, paths, tags: [{ name: 'Xero documents', description: 'Bills and sales invoices arriving from Xero' }] };
}
