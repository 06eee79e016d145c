import { Decimal } from '../../domain/decimal';
import { AccountRole } from '../../domain/accounting';
import { Part, Location } from '../../repos/catalogue';

export type Actor = { tenantId: string; userId?: string | null; apiKeyId?: string | null; role: 'admin' | 'operations' | 'bookkeeper' };

export type LineInput = { part: string; location: string; quantity: Decimal; unitCost?: Decimal; lot?: string; serials?: string[] };
export type TransferLineInput = { part: string; from: string; to: string; quantity: Decimal; lot?: string; serials?: string[] };
export type IssueRole = 'cogs' | 'scrap' | 'stock_adjustments';

type Common = { occurredOn: string; reference?: string; reason?: string };
export type StockCommand =
  | (Common & { kind: 'opening_balance' | 'receipt'; lines: LineInput[] })
  | (Common & { kind: 'issue'; expenseRole: IssueRole; lines: LineInput[] })
  | (Common & { kind: 'adjustment'; lines: LineInput[] })
  | (Common & { kind: 'transfer'; lines: TransferLineInput[] });

export type EventKind = StockCommand['kind'] | 'reversal' | 'revaluation' | 'job_consumption' | 'job_completion' | 'dispatch' | 'supplier_return';

/** How an inbound leg is costed: a unit cost, pieces carried from another location, or a restore of drawn layers. */
export type InboundCost =
  | { kind: 'unit'; unitCost: Decimal }
  | { kind: 'pieces'; pieces: { qty: Decimal; value: Decimal }[] }
  | { kind: 'restore'; draws: { layerId: string; qty: Decimal; value: Decimal }[] }
  | { kind: 'carried' } // a transfer's inbound leg: the layers its outbound leg drew, at the same costs
  | { kind: 'current' }; // a count gain with no cost given: the part's current cost here

/** How an outbound leg is costed: by the method, or (undoing a receipt) from one layer or at a fixed value. */
export type OutboundCost = { kind: 'method' } | { kind: 'layers'; layerIds: string[] } | { kind: 'value'; value: Decimal };

type LegBase = { field: string; part: Part; location: Location; lot: string; serial: string | null; qty: Decimal; reversesMovementId?: string };
export type InLeg = LegBase & { dir: 'in'; cost: InboundCost };
export type OutLeg = LegBase & { dir: 'out'; cost: OutboundCost };
/** A change of value with no change of quantity: a bill's price difference on stock still on hand. */
export type RevalueLeg = LegBase & { dir: 'revalue'; layerId: string; value: Decimal };
export type Leg = InLeg | OutLeg | RevalueLeg;

export type MovementView = {
  id: string;
  part: string;
  location: string;
  lot: string | null;
  serial: string | null;
  quantity: string;
  unit_cost: string;
  value: string;
};

export type JournalView = {
  id: string;
  number: number;
  date: string;
  narration: string;
  lines: { account_code: string; account_name: string; role: AccountRole; debit: string; credit: string }[];
};

export type EventView = {
  id: string;
  kind: EventKind;
  occurred_on: string;
  reference: string;
  reason: string;
  reverses_event_id: string | null;
  movements: MovementView[];
  journal: JournalView | null;
};
