// Xero bills and sales invoices, from INVOICE webhooks: the handler main.ts registers, and what
// the Xero documents page and API ask of them.
export { invoiceWebhookHandler, syncInvoice } from './handler';
export { xeroDocuments, requestDispatch, requestRetry, setSalesInvoiceDispatch } from './requests';
export type { XeroDocumentsPage } from './requests';
export type { DocumentRow, ExternalDocument, Outcome, DocumentKind } from './documents';
export { OUTCOMES } from './documents';
export type { DispatchMode } from './sales-invoices';
