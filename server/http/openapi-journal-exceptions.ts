import { OpenApiKit } from './openapi-purchasing';
import { ACCOUNT_ROLES } from '../domain/accounting';

// Journals the accounting system did not take, and sending them again (merged by openapi.ts).

type Schema = { [key: string]: unknown };

export function journalExceptionsDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, list, date, uuid, record, money, param, operation, oneOf } = k;
  const role = oneOf([...ACCOUNT_ROLES], 'The account mapping role');
  const schemas: Record<string, Schema> = {
    JournalSend: record({
      sent_at: text('When it was sent', { format: 'date-time' }),
      connector: text('Where it was sent (xero, offline...)'),
      idempotency_key: text('The Idempotency-Key it went under: a resend under the same key carries the same lines'),
      outcome: nullable(oneOf(['posted', 'refused', 'failed', 'waiting'], 'posted; refused (certainly not created); failed (no answer: it may exist there); waiting (rate limit or reconnect); null until answered')),
      message: nullable(text('The answer\'s message (Xero\'s reason for a refusal)')),
      external_id: nullable(text('Its id in the accounting system once posted')),
      lines: list(record({ role, account_code: text('The code it was sent on: the role\'s mapping when first sent under this key'), account_name: text(), amount: text('Signed amount: debit positive, credit negative') })),
    }),
    JournalException: record({
      id: uuid(), number: int(), date: date(), narration: text(), source_path: text(),
      xero_message: text('The last error as the accounting system gave it'),
      reason: text('Why, in plain words, naming the account and the role it was sent for'),
      fix: text('What to put right before sending it again'),
      fix_path: nullable(text('The page to put it right on (the account mapping, the Xero connection)')),
      roles: list(role),
      last_sent: nullable(list(record({ role, code: text(), name: text(), amount: money('Signed amount: debit positive, credit negative') }))),
    }),
  };
  const id = param('id', 'path', uuid(), 'Journal id');
  const paths: Record<string, Schema> = {
    '/exceptions/journals': {
      get: operation({
        id: 'listJournalExceptions', tag: 'Accounting', summary: 'Journals the accounting system did not take, and what to fix', roles: ['admin', 'bookkeeper'],
        description: 'Each journal whose posting needs a person: refused by Xero (an Inventory-type, archived or unknown account, a locked period...), or out of attempts. Newest first.',
        ok: { status: 200, description: 'The journals', schema: record({ journals: list(ref('JournalException')) }) },
      }),
    },
    '/journals/{id}/send-again': {
      post: operation({
        id: 'sendJournalAgain', tag: 'Accounting', summary: 'Send a refused or failed journal again, on the accounts mapped now', roles: ['admin', 'bookkeeper'], params: [id], errors: [404, 409],
        description: 'The posting goes now with a fresh set of attempts. A journal Xero refused was not created there, so it goes under a new Idempotency-Key on the accounts its roles are mapped to now; one that got no answer may exist in Xero, so it goes exactly as before under its old key and Xero cannot make it twice. The ledger is not changed: each send is recorded with the codes it carried (`sends` on the journal). 409 when it is posted or still waiting, or while a role it uses is mapped to an account Xero refuses (Inventory type, archived).',
        ok: { status: 200, description: 'The journal, with its posting pending', schema: ref('JournalDetail') },
      }),
    },
  };
  return { schemas, paths, tags: [] };
}
