import { Decimal } from '../../domain/decimal';
import { AmountsMode } from '../../domain/purchasing';
import { JournalView } from '../stock/types';

export type PoStatus = 'draft' | 'open' | 'received' | 'closed' | 'cancelled';

export type PoLineInput = {
  part: string; // SKU or barcode
  description?: string;
  quantity: Decimal; // in purchase units
  purchaseUnit?: string; // defaults to the part's stock unit
  unitsPerPurchaseUnit?: Decimal; // stock units per purchase unit, default 1
  unitPrice: Decimal; // per purchase unit, PO currency, as `amounts` says
  taxRate?: Decimal; // percent
  accountCode?: string;
};

export type PoInput = {
  number?: string; // default: the next PO-nnnnn
  supplier: string; // name; created if new
  orderDate?: string;
  expectedDate?: string | null;
  currency?: string; // default: base currency
  currencyRate?: Decimal; // PO currency per 1 base unit; required when currency differs
  amounts?: AmountsMode;
  location?: string; // deliver-to location code; default: the first location
  reference?: string;
  status?: 'draft' | 'open';
  externalId?: string;
  lines: PoLineInput[];
};

/** Which PO line a verification is for: its id, or a part's SKU or barcode. */
export type LineRef = { line?: string; part?: string };

export type ReceiveInput = LineRef & {
  quantity: Decimal; // in purchase units
  lot?: string;
  serials?: string[];
  deliveryNote?: string;
  /** The business date the goods arrived (default today): it dates the delivery, the receipt and its journal. */
  occurredOn?: string;
  /** An admin's approval of an over-receipt beyond tolerance, given on the spot. */
  approval?: { email: string; password: string };
  /** The caller is an admin and approves the over-receipt itself. */
  approveOverReceipt?: boolean;
};

export type RejectInput = LineRef & { quantity: Decimal; reason: string; deliveryNote?: string; occurredOn?: string };

export type BillLineInput = { part?: string; description?: string; quantity: Decimal; unitPrice: Decimal; taxRate?: Decimal; accountCode?: string };
export type BillInput = {
  supplier: string;
  number: string;
  reference?: string; // usually the PO number
  date: string;
  currency?: string;
  currencyRate?: Decimal;
  amounts?: AmountsMode;
  externalId?: string;
  lines: BillLineInput[];
};

export type BuyingLessFlagView = { free_stock: string; value: string };

export type PoLineView = {
  id: string;
  line_no: number;
  part: string; // SKU
  part_id: string;
  part_name: string;
  barcode: string | null;
  tracking: 'none' | 'lot' | 'serial';
  fractional: boolean;
  unit: string; // stock unit
  description: string;
  quantity: string; // purchase units
  purchase_unit: string;
  units_per_purchase_unit: string;
  unit_price: string;
  tax_rate: string;
  account_code: string;
  unit_cost: string; // base currency per stock unit, excluding tax
  ordered: string; // stock units
  received: string;
  rejected: string;
  billed: string;
  outstanding: string; // ordered - received, never below 0
  flag: BuyingLessFlagView | null;
};

export type ReceiptLineView = {
  id: string;
  delivery_id: string;
  po_line_id: string;
  part: string;
  outcome: 'accepted' | 'rejected';
  quantity: string; // stock units
  lot: string | null;
  serials: string[];
  reason: string;
  unit_cost: string;
  value: string;
  event_id: string | null;
  undone: boolean;
  undo_event_id: string | null;
  approved_by: string | null; // the approving admin's name, for an over-receipt
  returned: boolean;
  recorded_at: string;
};

export type DeliverySummary = Omit<DeliveryView, 'lines'>;

/** A PO after one verification: its status, the line verified, and the delivery being unpacked. */
export type PurchaseOrderProgress = { id: string; number: string; status: PoStatus; outstanding_lines: number; line: PoLineView; open_delivery: DeliverySummary | null };

export type DeliveryView = {
  id: string;
  number: number;
  po_id: string;
  po_number: string;
  status: 'open' | 'completed';
  received_on: string;
  delivery_note: string;
  journal_per: 'line' | 'delivery';
  journal: JournalView | null; // the delivery's own journal (journal per delivery, once finished)
  lines: ReceiptLineView[];
};

export type PurchaseOrderView = {
  id: string;
  number: string;
  supplier: { id: string; name: string };
  status: PoStatus;
  order_date: string;
  expected_date: string | null;
  currency: string;
  currency_rate: string;
  amounts: AmountsMode;
  location: string; // code
  reference: string;
  lines: PoLineView[];
  open_delivery: DeliveryView | null;
  flagged_value: string; // buying-less total over its lines
};

export type PurchaseOrderSummary = {
  id: string;
  number: string;
  supplier: string;
  status: PoStatus;
  order_date: string;
  expected_date: string | null;
  currency: string;
  lines: number;
  ordered: string; // stock units, all lines
  received: string;
  outstanding_lines: number;
};

export type ReceiveResult = { receipt_line: ReceiptLineView; purchase_order: PurchaseOrderProgress; event_id: string | null; journal: JournalView | null };
