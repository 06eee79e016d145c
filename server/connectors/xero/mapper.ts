import { LineAmountTypes, ManualJournal } from 'xero-node';
import { Decimal } from '../../domain/decimal';
import { firstOpenDay } from '../../domain/dates';
import { OutgoingJournal, PushError } from '../accounting-connector';

/** The stricter of Xero's two lock dates: nothing can be dated on or before it. */
export function effectiveLockDate(periodLock: string | null, endOfYearLock: string | null): string | null {
  if (!periodLock) return endOfYearLock;
  if (!endOfYearLock) return periodLock;
  return periodLock > endOfYearLock ? periodLock : endOfYearLock;
}

/**
 * Our journal as a POSTED Xero manual journal (Xero's default is DRAFT). Lines are signed as
 * Xero wants: debits positive, credits negative. NoTax: these are stock movements, and an
 * account's default tax rate must not add tax lines to them. A journal dated inside a lock is
 * moved to the first open day and says so in its narration.
 */
export function toManualJournal(journal: OutgoingJournal, lockDate: string | null): ManualJournal {
  // A resend carries the date of the first send, whatever the lock date is now (same key, same body).
  const date = journal.sendDate ?? firstOpenDay(journal.date, lockDate);
  const narration = date === journal.date ? journal.narration : `${journal.narration} (re-dated from ${journal.date}: period locked)`;
  const manualJournal: ManualJournal = {
    narration,
    date,
    status: ManualJournal.StatusEnum.POSTED,
    lineAmountTypes: LineAmountTypes.NoTax,
    url: journal.sourceUrl,
    showOnCashBasisReports: false,
    journalLines: journal.lines.map((l) => ({
      lineAmount: lineAmount(new Decimal(l.debit).minus(l.credit)),
      accountCode: l.account_code,
      description: journal.narration,
    })),
  };
  return manualJournal;
}

/**
 * The SDK's LineAmount is a JS number, and JSON carries it as one. A money amount of up to 15
 * significant digits survives that exactly; a larger one is refused rather than rounded.
 */
function lineAmount(amount: Decimal): number {
  const n = amount.toNumber();
  if (!new Decimal(n).eq(amount)) throw new PushError(`Amount ${amount.toFixed()} is too large to send to Xero exactly`, false);
  return n;
}
