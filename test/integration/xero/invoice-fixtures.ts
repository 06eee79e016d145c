import crypto from 'node:crypto';
import nock from 'nock';
import { Decimal } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { Db } from '../../../server/db';
import { recordWebhookEvents } from '../../../server/services/webhook-inbox';
import { parseXeroDelivery } from '../../../webhooks/xero';
import { delivery, xeroEvent } from '../../webhooks/xero-deliveries';
import { drainWebhooks } from '../../../server/jobs/webhook-worker';
import { XeroDeps } from '../../../server/connectors/xero/api';
import { tenantForExternal } from '../../../server/connectors/xero/connections';
import { invoiceWebhookHandler } from '../../../server/connectors/xero/invoices';
import { XERO_HOST, xeroConfig } from './xero-double';

// Xero invoices and bills as Xero's OpenAPI file (reference/xero/xero_accounting.yaml, schema
// Invoice, example of GET /Invoices/{InvoiceID}) has them: PascalCase JSON, dates as
// "/Date(ms+0000)/", amounts as JSON numbers. Shared with the whole-day Xero test double.

export type XeroLineSpec = {
  ItemCode?: string;
  Description?: string;
  Quantity: number;
  UnitAmount: number;
  /** Percent; the fixture works out TaxAmount from it, as Xero would. */
  taxRate?: number;
  AccountCode?: string;
  DiscountRate?: number;
};

export type XeroInvoiceSpec = {
  Type: 'ACCPAY' | 'ACCREC';
  Status?: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
  InvoiceID?: string;
  InvoiceNumber?: string;
  Reference?: string;
  Contact?: { ContactID?: string; Name: string };
  Date?: string; // YYYY-MM-DD, default today
  LineAmountTypes?: 'Exclusive' | 'Inclusive' | 'NoTax';
  CurrencyCode?: string;
  CurrencyRate?: number;
  UpdatedDateUTC?: Date;
  LineItems: XeroLineSpec[];
};

export const msDate = (d: Date | string) => `/Date(${typeof d === 'string' ? Date.parse(`${d}T00:00:00Z`) : d.getTime()}+0000)/`;
const num = (d: Decimal) => Number(d.toFixed(2));

function lineItem(l: XeroLineSpec, amounts: string) {
  const gross = new Decimal(l.Quantity).mul(l.UnitAmount).mul(new Decimal(100).minus(l.DiscountRate ?? 0).div(100)).toDecimalPlaces(2);
  const rate = new Decimal(amounts === 'NoTax' ? 0 : l.taxRate ?? 0).div(100);
  const tax = amounts === 'Inclusive' ? gross.minus(gross.div(rate.plus(1))).toDecimalPlaces(2) : gross.mul(rate).toDecimalPlaces(2);
  return {
    ...(l.ItemCode ? { ItemCode: l.ItemCode } : {}),
    Description: l.Description ?? (l.ItemCode ? `Item ${l.ItemCode}` : 'Sundries'),
    UnitAmount: l.UnitAmount,
    TaxType: rate.isZero() ? 'NONE' : 'INPUT2',
    TaxAmount: num(tax),
    LineAmount: num(gross),
    AccountCode: l.AccountCode ?? '815',
    Tracking: [],
    Quantity: l.Quantity,
    ...(l.DiscountRate ? { DiscountRate: l.DiscountRate } : {}),
    LineItemID: crypto.randomUUID(),
  };
}

/** One Invoice (ACCPAY bill or ACCREC sales invoice) with its totals worked out. */
export function xeroInvoice(s: XeroInvoiceSpec) {
  const amounts = s.LineAmountTypes ?? 'Exclusive';
  const lines = s.LineItems.map((l) => lineItem(l, amounts));
  const lineTotal = lines.reduce((a, l) => a.plus(l.LineAmount), new Decimal(0));
  const tax = lines.reduce((a, l) => a.plus(l.TaxAmount), new Decimal(0));
  const subTotal = amounts === 'Inclusive' ? lineTotal.minus(tax) : lineTotal;
  const date = s.Date ?? today();
  const updated = s.UpdatedDateUTC ?? new Date();
  return {
    Type: s.Type,
    InvoiceID: s.InvoiceID ?? crypto.randomUUID(),
    InvoiceNumber: s.InvoiceNumber ?? (s.Type === 'ACCPAY' ? 'SUP-1001' : 'INV-0001'),
    Reference: s.Reference ?? '',
    Prepayments: [],
    Overpayments: [],
    AmountDue: num(subTotal.plus(tax)),
    AmountPaid: 0,
    SentToContact: false,
    CurrencyRate: s.CurrencyRate ?? 1,
    HasErrors: false,
    IsDiscounted: false,
    HasAttachments: false,
    Contact: { ContactID: s.Contact?.ContactID ?? crypto.randomUUID(), ContactStatus: 'ACTIVE', Name: s.Contact?.Name ?? 'Acme Bearings', HasValidationErrors: false },
    // No DateString/DueDateString: Xero's example shows them, but its Invoice schema does not define them.
    Date: msDate(date),
    DueDate: msDate(date),
    Status: s.Status ?? 'AUTHORISED',
    LineAmountTypes: amounts,
    LineItems: lines,
    SubTotal: num(subTotal),
    TotalTax: num(tax),
    Total: num(subTotal.plus(tax)),
    UpdatedDateUTC: msDate(updated),
    UpdatedDateUTCString: updated.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    CurrencyCode: s.CurrencyCode ?? 'GBP',
  };
}

export type XeroInvoiceJson = ReturnType<typeof xeroInvoice>;
export const xeroBill = (s: Omit<XeroInvoiceSpec, 'Type'>) => xeroInvoice({ ...s, Type: 'ACCPAY' });
export const xeroSalesInvoice = (s: Omit<XeroInvoiceSpec, 'Type'>) => xeroInvoice({ ...s, Type: 'ACCREC', Contact: s.Contact ?? { Name: 'Brightwater Farms' } });

/** 200 from GET /Invoices/{InvoiceID} (OAS schema Invoices). */
export function invoicesResponse(...invoices: XeroInvoiceJson[]) {
  return { Id: crypto.randomUUID(), Status: 'OK', ProviderName: 'Perpetua', DateTimeUTC: `/Date(${Date.now()})/`, Invoices: invoices };
}

/** 404 from GET /Invoices/{InvoiceID} for an id Xero does not know. */
export const notFound = () => ({ Title: 'Not Found', Status: 404, Detail: 'Resource not found' });

type Scripted = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A stateful stand-in for Xero's GET /Invoices/{InvoiceID}: `put` sets (or edits) an invoice as
 * a person would in Xero, `script` answers the next calls (a 503...) before it goes back to
 * serving the invoices, and `calls` lists the invoice ids asked for.
 */
export function xeroInvoices() {
  const invoices = new Map<string, XeroInvoiceJson>();
  const calls: { invoiceId: string; xeroTenantId: string; unitdp: string | undefined }[] = [];
  const script: Scripted[] = [];
  nock(XERO_HOST).persist().get(/^\/api\.xro\/2\.0\/Invoices\/[^/?]+/).query(true).reply(function (uri) {
    const url = new URL(uri, XERO_HOST);
    const invoiceId = decodeURIComponent(url.pathname.split('/').pop()!);
    calls.push({ invoiceId, xeroTenantId: String(this.req.headers['xero-tenant-id']), unitdp: url.searchParams.get('unitdp') ?? undefined });
    const next = script.shift();
    if (next) return [next.status, next.body ?? '', next.headers ?? {}];
    const inv = invoices.get(invoiceId);
    return inv ? [200, invoicesResponse(inv)] : [404, notFound()];
  });
  return {
    invoices,
    calls,
    script,
    /** Sets the invoice as Xero now has it, with a later UpdatedDateUTC than before. */
    put(inv: XeroInvoiceJson): XeroInvoiceJson {
      const prev = invoices.get(inv.InvoiceID);
      const at = new Date(Math.max(Date.now(), prev ? Number(/\d+/.exec(prev.UpdatedDateUTC)![0]) + 1000 : 0));
      const stored = { ...inv, UpdatedDateUTC: msDate(at), UpdatedDateUTCString: at.toISOString().replace(/\.\d{3}Z$/, 'Z') };
      invoices.set(inv.InvoiceID, stored);
      return stored;
    },
  };
}

let clock = 0;
/** An INVOICE webhook event for the invoice, as Xero would deliver it (xero-webhooks.yaml). */
export function invoiceEvent(xeroTenantId: string, invoiceId: string, eventType: 'CREATE' | 'UPDATE' = 'UPDATE', at?: string) {
  return xeroEvent(++clock, { resourceId: invoiceId, tenantId: xeroTenantId, eventType, eventCategory: 'INVOICE', ...(at ? { eventDateUtc: at } : {}) });
}

/** Stores a delivery's events as POST /webhooks/xero does after checking the signature. */
export async function deliver(db: Db, events: ReturnType<typeof xeroEvent>[]): Promise<number> {
  return recordWebhookEvents(db, 'xero', parseXeroDelivery(Buffer.from(delivery(events)))!);
}

/** What main.ts gives the handler: the database and the Xero settings (test hosts). */
export const invoiceDeps = (db: Db): XeroDeps => ({ db, ...xeroConfig.xero, encryptionKey: xeroConfig.encryptionKey });

/** Processes due webhook events as the running worker does, with the INVOICE handler registered. */
export function drainInvoiceEvents(db: Db): Promise<number> {
  return drainWebhooks(db, { xero: { INVOICE: invoiceWebhookHandler(invoiceDeps(db)) } }, { resolveTenant: (provider, id) => tenantForExternal(db, provider, id) });
}
