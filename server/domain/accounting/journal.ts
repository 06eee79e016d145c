import { Decimal, ZERO, sum } from '../decimal';
import { DomainError } from '../../errors';
import { AccountMapping, AccountRole } from './roles';

export type JournalLine = { role: AccountRole; code: string; name: string; amount: Decimal; description: string };
export type JournalDraft = { narration: string; lines: JournalLine[] };

/** A value change on a stock account, already rounded to cents (see rounding.ts). */
export type StockPosting = { role: AccountRole; amount: Decimal };

export class UnbalancedJournal extends DomainError {
  constructor(readonly total: Decimal) {
    super('unbalanced_journal', 500, `Journal does not balance: debits - credits = ${total.toFixed()}`);
  }
}

/**
 * One journal for one business event: stock postings summed per account, and the opposite
 * side on the event's contra account (GRNI for a receipt, Stock adjustments for a count...).
 * Returns null when nothing of value moved (a transfer between bins of the same account).
 */
export function buildJournal(
  postings: StockPosting[],
  contra: AccountRole,
  mapping: AccountMapping,
  narration: string,
): JournalDraft | null {
  const byRole = new Map<AccountRole, Decimal>();
  for (const p of postings) byRole.set(p.role, (byRole.get(p.role) ?? ZERO).plus(p.amount));
  const lines: JournalLine[] = [];
  for (const [role, amount] of byRole) {
    if (!amount.isZero()) lines.push(line(role, amount, mapping, narration));
  }
  const stockTotal = sum(lines.map((l) => l.amount));
  if (!stockTotal.isZero()) lines.push(line(contra, stockTotal.neg(), mapping, narration));
  if (!lines.length) return null;
  assertBalanced(lines);
  // Debits first, as a bookkeeper reads them.
  lines.sort((a, b) => (a.amount.isPos() === b.amount.isPos() ? 0 : a.amount.isPos() ? -1 : 1));
  return { narration, lines };
}

function line(role: AccountRole, amount: Decimal, mapping: AccountMapping, description: string): JournalLine {
  return { role, code: mapping[role].code, name: mapping[role].name, amount, description };
}

export function assertBalanced(lines: { amount: Decimal }[]): void {
  const total = sum(lines.map((l) => l.amount));
  if (!total.isZero()) throw new UnbalancedJournal(total);
}
