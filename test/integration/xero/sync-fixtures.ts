import crypto from 'node:crypto';
import nock from 'nock';
import { XERO_HOST } from './xero-double';

// Xero's answers to the pulls, in the shapes of Xero's OpenAPI file (reference/xero/
// xero_accounting.yaml 16.1.0): PascalCase JSON, dates as "/Date(ms+0000)/", the response
// envelope (Id, Status, ProviderName, DateTimeUTC) and, on paged lists, `pagination`.

export const API = '/api.xro/2.0';

/** "/Date(1731974400000+0000)/" for an ISO date or moment. */
export function msDate(at: string | Date): string {
  const ms = typeof at === 'string' ? Date.parse(at.length === 10 ? `${at}T00:00:00Z` : at) : at.getTime();
  return `/Date(${ms}+0000)/`;
}

function envelope<K extends string, T>(key: K, list: T[], extra: Record<string, unknown> = {}) {
  return { Id: crypto.randomUUID(), Status: 'OK', ProviderName: 'Perpetua', DateTimeUTC: msDate(new Date()), ...extra, [key]: list } as Record<K, T[]> & Record<string, unknown>;
}

/** `pagination` as Xero adds it to paged lists (page numbers from 1, 100 a page). */
export function pagination(page: number, itemCount: number, pageSize = 100) {
  return { page, pageSize, pageCount: Math.max(1, Math.ceil(itemCount / pageSize)), itemCount };
}

// ---- Organisation ----

export type OrgSeed = { name?: string; baseCurrency?: string; periodLockDate?: string | null; endOfYearLockDate?: string | null };
export function organisationResponse(s: OrgSeed = {}) {
  return envelope('Organisations', [{
    APIKey: 'CTJ60UH519MXQIXEJSDPDALS3EOZ5Y',
    Name: s.name ?? 'Demo Company (UK)',
    LegalName: s.name ?? 'Demo Company (UK)',
    PaysTax: true,
    Version: 'UK',
    OrganisationType: 'COMPANY',
    BaseCurrency: s.baseCurrency ?? 'GBP',
    CountryCode: 'GB',
    IsDemoCompany: false,
    OrganisationStatus: 'ACTIVE',
    FinancialYearEndDay: 31,
    FinancialYearEndMonth: 3,
    ...(s.periodLockDate ? { PeriodLockDate: msDate(s.periodLockDate) } : {}),
    ...(s.endOfYearLockDate ? { EndOfYearLockDate: msDate(s.endOfYearLockDate) } : {}),
    CreatedDateUTC: msDate('2024-01-15T09:00:00Z'),
    OrganisationEntityType: 'COMPANY',
    Timezone: 'GMTSTANDARDTIME',
    ShortCode: '!mBdtL',
    OrganisationID: crypto.randomUUID(),
    Edition: 'BUSINESS',
    Class: 'PREMIUM',
    Addresses: [],
    Phones: [],
    ExternalLinks: [],
    PaymentTerms: {},
  }]);
}

// ---- Accounts ----

export type AccountSeed = { code: string; name: string; type?: string; status?: 'ACTIVE' | 'ARCHIVED'; updated?: string; id?: string };
const CLASS: Record<string, string> = { CURRENT: 'ASSET', INVENTORY: 'ASSET', BANK: 'ASSET', CURRLIAB: 'LIABILITY', EQUITY: 'EQUITY', EXPENSE: 'EXPENSE', DIRECTCOSTS: 'EXPENSE', OVERHEADS: 'EXPENSE', REVENUE: 'REVENUE', SALES: 'REVENUE' };
export function account(s: AccountSeed) {
  const type = s.type ?? 'EXPENSE';
  return {
    AccountID: s.id ?? crypto.randomUUID(), Code: s.code, Name: s.name, Status: s.status ?? 'ACTIVE', Type: type, TaxType: 'NONE', Class: CLASS[type] ?? 'EXPENSE',
    EnablePaymentsToAccount: false, ShowInExpenseClaims: false, BankAccountType: '', ReportingCode: 'EXP', ReportingCodeName: 'Expense', HasAttachments: false,
    UpdatedDateUTC: msDate(s.updated ?? '2026-11-01T10:00:00Z'), AddToWatchlist: false,
  };
}
export const accountsResponse = (accounts: ReturnType<typeof account>[]) => envelope('Accounts', accounts);
/** 400 from PUT /Accounts for a code the chart already has (OAS createAccount's 400 example, with Xero's message for a code). */
export function accountCodeClash(code: string, name: string, type: string) {
  return { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: [{ Code: code, Name: name, Type: type, ValidationErrors: [{ Message: 'Please enter a unique Code.' }] }] };
}

// ---- Contacts ----

export type ContactSeed = { id?: string; name: string; isSupplier?: boolean; status?: 'ACTIVE' | 'ARCHIVED'; currency?: string; updated?: string };
export function contact(s: ContactSeed) {
  return {
    ContactID: s.id ?? crypto.randomUUID(), ContactStatus: s.status ?? 'ACTIVE', Name: s.name, EmailAddress: '', BankAccountDetails: '', Addresses: [], Phones: [],
    UpdatedDateUTC: msDate(s.updated ?? '2026-11-01T10:00:00Z'), ContactGroups: [], IsSupplier: s.isSupplier ?? true, IsCustomer: false,
    ...(s.currency ? { DefaultCurrency: s.currency } : {}), ContactPersons: [], HasAttachments: false, HasValidationErrors: false,
  };
}
export const contactsResponse = (contacts: ReturnType<typeof contact>[], page?: { page: number; itemCount: number }) =>
  envelope('Contacts', contacts, page ? { pagination: pagination(page.page, page.itemCount) } : {});

// ---- Items ----

export type ItemSeed = { code: string; name?: string; description?: string; isPurchased?: boolean; isSold?: boolean; tracked?: boolean; updated?: string; id?: string };
export function item(s: ItemSeed) {
  return {
    ItemID: s.id ?? crypto.randomUUID(), Code: s.code, Name: s.name ?? `Item ${s.code}`, Description: s.description ?? '', PurchaseDescription: s.description ?? '',
    IsSold: s.isSold ?? true, IsPurchased: s.isPurchased ?? true, IsTrackedAsInventory: s.tracked ?? false,
    PurchaseDetails: { UnitPrice: 10, AccountCode: '300', TaxType: 'INPUT2', ...(s.tracked ? { COGSAccountCode: '310' } : {}) },
    SalesDetails: { UnitPrice: 20, AccountCode: '200', TaxType: 'OUTPUT2' },
    ...(s.tracked ? { InventoryAssetAccountCode: '630', TotalCostPool: 100, QuantityOnHand: 10 } : {}),
    UpdatedDateUTC: msDate(s.updated ?? '2026-11-01T10:00:00Z'),
  };
}
export const itemsResponse = (items: ReturnType<typeof item>[]) => envelope('Items', items);

// ---- Purchase orders ----

export type PoLineSeed = { itemCode?: string; description?: string; quantity: number; unitAmount: number; taxRatePct?: number; accountCode?: string; discountRate?: number };
export function poLine(s: PoLineSeed, amounts: 'Exclusive' | 'Inclusive' | 'NoTax' = 'Exclusive') {
  const lineAmount = Math.round(s.quantity * s.unitAmount * (1 - (s.discountRate ?? 0) / 100) * 100) / 100;
  const rate = amounts === 'NoTax' ? 0 : (s.taxRatePct ?? 20) / 100;
  const tax = amounts === 'Inclusive' ? lineAmount - lineAmount / (1 + rate) : lineAmount * rate;
  return {
    LineItemID: crypto.randomUUID(), Description: s.description ?? (s.itemCode ? `Part ${s.itemCode}` : 'Freight'), Quantity: s.quantity, UnitAmount: s.unitAmount,
    ...(s.itemCode ? { ItemCode: s.itemCode, Item: { ItemID: crypto.randomUUID(), Code: s.itemCode, Name: `Item ${s.itemCode}` } } : {}),
    AccountCode: s.accountCode ?? '630', TaxType: amounts === 'NoTax' ? 'NONE' : 'INPUT2', TaxAmount: Math.round(tax * 100) / 100, LineAmount: lineAmount, Tracking: [],
    ...(s.discountRate ? { DiscountRate: s.discountRate } : {}),
  };
}

export type PoSeed = {
  id?: string; number: string; status?: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'BILLED' | 'DELETED'; contact?: { id: string; name: string };
  date?: string; expected?: string; amounts?: 'Exclusive' | 'Inclusive' | 'NoTax'; currency?: string; rate?: number; reference?: string; updated?: string; lines: PoLineSeed[];
};
export function purchaseOrder(s: PoSeed) {
  const amounts = s.amounts ?? 'Exclusive';
  const lines = s.lines.map((l) => poLine(l, amounts));
  const sub = lines.reduce((a, l) => a + l.LineAmount, 0);
  const tax = lines.reduce((a, l) => a + l.TaxAmount, 0);
  return {
    // Xero's example answers also carry DateString, DeliveryDateString, HasErrors, IsDiscounted and
    // Type: "PURCHASEORDER", but its PurchaseOrder schema does not define them (nor does xero-node
    // keep them), so the fixture leaves them out.
    PurchaseOrderID: s.id ?? crypto.randomUUID(), PurchaseOrderNumber: s.number, Date: msDate(s.date ?? '2026-11-02'),
    ...(s.expected ? { DeliveryDate: msDate(s.expected), ExpectedArrivalDate: msDate(s.expected) } : {}),
    Reference: s.reference ?? '', AttentionTo: '', CurrencyRate: s.rate ?? 1, CurrencyCode: s.currency ?? 'GBP',
    Contact: contact({ id: s.contact?.id, name: s.contact?.name ?? 'Acme Components Ltd' }),
    Status: s.status ?? 'AUTHORISED', LineAmountTypes: amounts, LineItems: lines,
    SubTotal: amounts === 'Inclusive' ? sub - tax : sub, TotalTax: tax, Total: amounts === 'Inclusive' ? sub : sub + tax,
    UpdatedDateUTC: msDate(s.updated ?? '2026-11-02T09:00:00Z'), HasAttachments: false,
  };
}
export const purchaseOrdersResponse = (pos: ReturnType<typeof purchaseOrder>[], page = 1, itemCount = pos.length) =>
  envelope('PurchaseOrders', pos, { pagination: pagination(page, itemCount) });

// ---- nock helpers: each GET records the headers it was sent ----

export type Seen = { path: string; query: Record<string, string>; ifModifiedSince?: string; tenant?: string };

/** A GET on one list, answered once per call from `reply`; `seen` records what was asked. */
export function onGet(path: string, reply: (q: Record<string, string>) => [number, unknown] | [number, unknown, Record<string, string>], times = 1) {
  const seen: Seen[] = [];
  const scope = nock(XERO_HOST).get(`${API}${path}`).query(true).times(times).reply(function (uri) {
    const url = new URL(uri, XERO_HOST);
    const query = Object.fromEntries(url.searchParams);
    const h = this.req.headers;
    seen.push({ path, query, ifModifiedSince: h['if-modified-since'] as string | undefined, tenant: h['xero-tenant-id'] as string | undefined });
    const [status, body, headers] = reply(query);
    return [status, body as nock.Body, { 'x-daylimit-remaining': '4000', 'x-minlimit-remaining': '55', ...(headers ?? {}) }];
  });
  return { scope, seen };
}
