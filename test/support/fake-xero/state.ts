import crypto from 'node:crypto';

// The state of a fake Xero: organisations with their records, as Xero's OpenAPI file shapes them
// (PascalCase JSON, dates as /Date(ms+0000)/), and what the app did to it.

export const msDate = (d: Date | string) => `/Date(${typeof d === 'string' ? Date.parse(`${d}T00:00:00Z`) : d.getTime()}+0000)/`;
const uuid = () => crypto.randomUUID();

export type Line = { ItemCode?: string; Description?: string; Quantity: number; UnitAmount: number; TaxAmount?: number; AccountCode?: string };
type Dated = { UpdatedDateUTC: string; updatedAt: number };

export type FakePurchaseOrder = Dated & { PurchaseOrderID: string; PurchaseOrderNumber: string; Status: string; Contact: { ContactID: string; Name: string }; Date: string; ExpectedArrivalDate?: string; Reference: string; LineAmountTypes: string; CurrencyCode: string; LineItems: any[] };
export type FakeInvoice = Dated & { InvoiceID: string; Type: 'ACCPAY' | 'ACCREC'; InvoiceNumber: string; Reference: string; Status: string; Contact: { ContactID: string; Name: string }; Date: string; DueDate: string; LineAmountTypes: string; CurrencyCode: string; LineItems: any[] };
export type FakeManualJournal = { ManualJournalID: string; idempotencyKey: string; journal: any; createdAt: number };

export class FakeOrganisation {
  readonly tenantId = uuid();
  connectionId: string = uuid();
  readonly contacts = new Map<string, any>();
  readonly items = new Map<string, any>();
  readonly purchaseOrders = new Map<string, FakePurchaseOrder>();
  readonly invoices = new Map<string, FakeInvoice>();
  readonly accounts = new Map<string, any>();
  /** Journals that exist in "Xero", in the order made. */
  readonly manualJournals: FakeManualJournal[] = [];
  /** The first answer to each Idempotency-Key, replayed when the key comes again. */
  readonly answers = new Map<string, unknown>();
  private poNumber = 0;

  constructor(readonly name: string, readonly baseCurrency = 'GBP', public periodLockDate?: string, public endOfYearLockDate?: string) {
    for (const [code, name, type] of [['200', 'Sales', 'REVENUE'], ['310', 'Cost of goods sold', 'DIRECTCOSTS'], ['630', 'Inventory', 'INVENTORY']]) this.addAccount(code, name, type);
  }

  organisationJson() {
    return {
      OrganisationID: this.tenantId, Name: this.name, LegalName: this.name, BaseCurrency: this.baseCurrency, CountryCode: 'GB', OrganisationType: 'COMPANY', Version: 'UK',
      PeriodLockDate: this.periodLockDate ? msDate(this.periodLockDate) : undefined, EndOfYearLockDate: this.endOfYearLockDate ? msDate(this.endOfYearLockDate) : undefined,
      OrganisationStatus: 'ACTIVE', IsDemoCompany: false, CreatedDateUTC: msDate(new Date()),
    };
  }

  addAccount(Code: string, Name: string, Type: string) {
    const a = { AccountID: uuid(), Code, Name, Type, Status: 'ACTIVE', Class: Type === 'REVENUE' ? 'REVENUE' : Type.includes('CURR') || Type === 'INVENTORY' ? 'ASSET' : 'EXPENSE', UpdatedDateUTC: msDate(new Date()) };
    this.accounts.set(a.AccountID, a);
    return a;
  }

  /** Archived in Xero: still listed (Status ARCHIVED), refused on journal lines. */
  archiveAccount(code: string) {
    const a = [...this.accounts.values()].find((x) => x.Code === code);
    if (!a) throw new Error(`fake Xero: no account ${code}`);
    Object.assign(a, { Status: 'ARCHIVED', UpdatedDateUTC: msDate(new Date()) });
  }

  /** Deleted in Xero: gone from the chart, so its code is unknown to journals. */
  deleteAccount(code: string) {
    for (const [id, a] of this.accounts) if (a.Code === code) this.accounts.delete(id);
  }

  accountByCode(code: string) {
    return [...this.accounts.values()].find((a) => a.Code === code);
  }

  addSupplier(Name: string) {
    const c = { ContactID: uuid(), Name, ContactStatus: 'ACTIVE', IsSupplier: true, IsCustomer: false, DefaultCurrency: this.baseCurrency, UpdatedDateUTC: msDate(new Date()) };
    this.contacts.set(c.ContactID, c);
    return c;
  }

  addCustomer(Name: string) {
    const c = { ...this.addSupplier(Name), IsSupplier: false, IsCustomer: true };
    this.contacts.set(c.ContactID, c);
    return c;
  }

  addItem(Code: string, Name: string, opts: { tracked?: boolean; price?: number } = {}) {
    const i = { ItemID: uuid(), Code, Name, Description: Name, IsSold: true, IsPurchased: true, IsTrackedAsInventory: !!opts.tracked, PurchaseDetails: { UnitPrice: opts.price ?? 0, AccountCode: '310' }, UpdatedDateUTC: msDate(new Date()) };
    this.items.set(i.ItemID, i);
    return i;
  }

  /** A PO raised in Xero; SUBMITTED and AUTHORISED are the receivable states. */
  addPurchaseOrder(supplier: { ContactID: string; Name: string }, lines: Line[], opts: { status?: string; date?: string; expected?: string; reference?: string } = {}) {
    const now = new Date();
    const po: FakePurchaseOrder = {
      PurchaseOrderID: uuid(), PurchaseOrderNumber: `PO-${String(++this.poNumber).padStart(4, '0')}`, Status: opts.status ?? 'AUTHORISED',
      Contact: { ContactID: supplier.ContactID, Name: supplier.Name }, Date: msDate(opts.date ?? now.toISOString().slice(0, 10)),
      ExpectedArrivalDate: opts.expected ? msDate(opts.expected) : undefined, Reference: opts.reference ?? '', LineAmountTypes: 'Exclusive', CurrencyCode: this.baseCurrency,
      LineItems: lines.map(lineItem), UpdatedDateUTC: msDate(now), updatedAt: now.getTime(),
    };
    this.purchaseOrders.set(po.PurchaseOrderID, po);
    return po;
  }

  changePurchaseOrder(po: FakePurchaseOrder, change: Partial<Pick<FakePurchaseOrder, 'Status'>> & { lines?: Line[] }) {
    if (change.Status) po.Status = change.Status;
    if (change.lines) po.LineItems = change.lines.map(lineItem);
    touch(po);
  }

  addInvoice(type: 'ACCPAY' | 'ACCREC', contact: { ContactID: string; Name: string }, lines: Line[], opts: { number: string; reference?: string; status?: string; date?: string }) {
    const now = new Date();
    const date = opts.date ?? now.toISOString().slice(0, 10);
    const inv: FakeInvoice = {
      InvoiceID: uuid(), Type: type, InvoiceNumber: opts.number, Reference: opts.reference ?? '', Status: opts.status ?? 'AUTHORISED',
      Contact: { ContactID: contact.ContactID, Name: contact.Name }, Date: msDate(date), DueDate: msDate(date), LineAmountTypes: 'Exclusive', CurrencyCode: this.baseCurrency,
      LineItems: lines.map(lineItem), UpdatedDateUTC: msDate(now), updatedAt: now.getTime(),
    };
    this.invoices.set(inv.InvoiceID, inv);
    return inv;
  }

  changeInvoice(inv: FakeInvoice, change: { Status?: string }) {
    if (change.Status) inv.Status = change.Status;
    touch(inv);
  }
}

function touch(r: Dated) {
  // Strictly later than before, even within one millisecond: If-Modified-Since is compared to it.
  r.updatedAt = Math.max(Date.now(), r.updatedAt + 1);
  r.UpdatedDateUTC = msDate(new Date(r.updatedAt));
}

function lineItem(l: Line) {
  const LineAmount = Math.round(l.Quantity * l.UnitAmount * 100) / 100;
  return { LineItemID: uuid(), ItemCode: l.ItemCode, Description: l.Description ?? l.ItemCode ?? '', Quantity: l.Quantity, UnitAmount: l.UnitAmount, TaxAmount: l.TaxAmount ?? 0, TaxType: l.TaxAmount ? 'INPUT2' : 'NONE', AccountCode: l.AccountCode ?? '310', LineAmount, Tracking: [] };
}
