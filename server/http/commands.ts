import { z } from 'zod';
import { StockCommand } from '../services/stock/types';
import { quantity, signedQuantity, optionalUnitCost, unitCost, isoDate, code, lot, serials, optionalText } from './schemas';

// Input schemas for the stock commands, shared by the JSON API and the pages' forms.
const line = { part: code('part'), location: code('location'), lot, serials };
const header = { occurred_on: isoDate.optional(), reference: optionalText(100), reason: optionalText(200) };

export const inboundCommand = z.object({ ...header, lines: z.array(z.object({ ...line, quantity, unit_cost: unitCost }).strict()).min(1, 'give at least one line').max(1000) }).strict();
export const issueCommand = z.object({ ...header, expense_account: z.enum(['cogs', 'scrap', 'stock_adjustments']).default('cogs'), lines: z.array(z.object({ ...line, quantity }).strict()).min(1, 'give at least one line').max(1000) }).strict();
export const adjustmentCommand = z.object({ ...header, lines: z.array(z.object({ ...line, quantity: signedQuantity, unit_cost: optionalUnitCost }).strict()).min(1, 'give at least one line').max(1000) }).strict();
export const transferCommand = z.object({ ...header, lines: z.array(z.object({ part: code('part'), from: code('from'), to: code('to'), quantity, lot, serials }).strict().refine((l) => l.from !== l.to, { message: 'from and to must be different locations', path: ['to'] })).min(1, 'give at least one line').max(1000) }).strict();
export const reversalCommand = z.object({ occurred_on: isoDate.optional(), reason: optionalText(200) }).strict();

type Lines = { part: string; location?: string; quantity: import('../domain/decimal').Decimal; unit_cost?: import('../domain/decimal').Decimal; lot?: string; serials?: string[] }[];

export function toLines(lines: Lines) {
  return lines.map((l) => ({ part: l.part, location: l.location!, quantity: l.quantity, unitCost: l.unit_cost, lot: l.lot, serials: l.serials }));
}

export type CommandKind = 'opening_balance' | 'receipt' | 'issue' | 'adjustment' | 'transfer';

/** Parse a JSON body or form into a stock command; the business date defaults to today. */
export function parseStockCommand(kind: CommandKind, body: unknown, today: string): StockCommand {
  if (kind === 'opening_balance' || kind === 'receipt') {
    const b = inboundCommand.parse(body);
    return { kind, occurredOn: b.occurred_on ?? today, reference: b.reference, reason: b.reason, lines: toLines(b.lines) };
  }
  if (kind === 'issue') {
    const b = issueCommand.parse(body);
    return { kind, expenseRole: b.expense_account, occurredOn: b.occurred_on ?? today, reference: b.reference, reason: b.reason, lines: toLines(b.lines) };
  }
  if (kind === 'adjustment') {
    const b = adjustmentCommand.parse(body);
    return { kind, occurredOn: b.occurred_on ?? today, reference: b.reference, reason: b.reason, lines: toLines(b.lines) };
  }
  const b = transferCommand.parse(body);
  return { kind, occurredOn: b.occurred_on ?? today, reference: b.reference, reason: b.reason, lines: b.lines };
}

export { today } from '../clock';
