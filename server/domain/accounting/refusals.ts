import { AccountRole, ROLE_LABELS } from './roles';
import { ChartAccount } from './chart';

/** A sent line as the explanation needs it: the role and the code it went on. */
export type SentAccount = { role: AccountRole; code: string };

/** A posting that needs a person: Xero's reason in plain words, what to fix, and where. */
export type RefusalAdvice = { reason: string; fix: string; fixPath: string | null; roles: AccountRole[] };

const MAPPING = '/settings#account-mapping';
const CONNECTION = '/settings/xero';

/**
 * What a refusal (or a posting that ran out of attempts) means for the bookkeeper. The codes Xero
 * names are tied back to the roles they were sent for, since the cure is the role's mapping.
 */
export function explainRefusal(message: string, refused: boolean, sent: SentAccount[], chart: ChartAccount[]): RefusalAdvice {
  const rolesFor = (code: string) => [...new Set(sent.filter((l) => l.code.toLowerCase() === code.toLowerCase()).map((l) => l.role))];
  const named = (code: string) => {
    const roles = rolesFor(code);
    return roles.length ? `${code} (${roles.map((r) => ROLE_LABELS[r]).join(', ')})` : code;
  };
  if (!refused) {
    return { reason: `Xero did not take the journal after several tries: ${message}`, fix: 'Send it again: it goes exactly as it went before, under the same key, so Xero cannot make it twice.', fixPath: CONNECTION, roles: [] };
  }
  if (/inventory account type/i.test(message)) {
    const codes = [...new Set(sent.map((l) => l.code))].filter((c) => chart.some((a) => a.code.toLowerCase() === c.toLowerCase() && a.type === 'INVENTORY'));
    const roles = codes.flatMap(rolesFor);
    return {
      reason: `Xero refused it because ${codes.length ? `account ${codes.map(named).join(', ')} is` : 'one of its accounts is'} an Inventory-type account, which Xero keeps for its own tracked items.`,
      fix: `Map ${roles.length ? roles.map((r) => ROLE_LABELS[r]).join(', ') : 'that role'} to an ordinary current-asset account (or create the suggested one), then send the journal again.`,
      fixPath: MAPPING, roles,
    };
  }
  const archived = /Account code '([^']*)' has been archived, or has been deleted/i.exec(message);
  if (archived) {
    return { reason: `Xero refused it because account ${named(archived[1])} is archived or deleted in Xero.`, fix: `Restore the account in Xero, or map ${roleWords(rolesFor(archived[1]))} to another account; then send the journal again.`, fixPath: MAPPING, roles: rolesFor(archived[1]) };
  }
  const unknown = /Account code '([^']*)' is not a valid code/i.exec(message);
  if (unknown) {
    return { reason: `Xero refused it because its chart of accounts has no account ${named(unknown[1])}.`, fix: `Create it ("Create suggested accounts in Xero") or map ${roleWords(rolesFor(unknown[1]))} to an account Xero has; then send the journal again.`, fixPath: MAPPING, roles: rolesFor(unknown[1]) };
  }
  if (/lock date/i.test(message)) {
    return { reason: 'Xero refused it because its date is inside a period locked in Xero.', fix: 'Sync now on the Xero page so Perpetua reads the new lock date, then send the journal again: it goes on the first open day and says so.', fixPath: CONNECTION, roles: [] };
  }
  if (/scopes|refused access/i.test(message)) {
    return { reason: `Xero would not let Perpetua post it: ${message}`, fix: 'Reconnect Xero and allow manual journals, then send the journal again.', fixPath: CONNECTION, roles: [] };
  }
  return { reason: `Xero refused it: ${message.replace(/^Xero refused the journal: /, '')}`, fix: 'Put right what Xero names, then send the journal again.', fixPath: null, roles: [] };
}

const roleWords = (roles: AccountRole[]) => (roles.length ? roles.map((r) => ROLE_LABELS[r]).join(', ') : 'the role that uses it');
