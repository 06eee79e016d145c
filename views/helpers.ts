import crypto from 'node:crypto';
import Handlebars from 'handlebars';
import { Decimal, money } from '../server/domain/decimal';

type HB = typeof Handlebars;

export function registerHelpers(hbs: HB): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('json', (v: unknown) => new hbs.SafeString(JSON.stringify(v).replace(/</g, '\\u003c')));
  /** Quantities and amounts arrive as decimal strings; group thousands without turning them into floats. */
  hbs.registerHelper('num', (v: unknown) => groupThousands(String(v ?? '')));
  hbs.registerHelper('neg', (v: unknown) => String(v ?? '').startsWith('-'));
  hbs.registerHelper('kindLabel', (k: string) => KIND_LABELS[k] ?? k);
  hbs.registerHelper('date', (v: unknown) => iso(v).slice(0, 10));
  hbs.registerHelper('datetime', (v: unknown) => iso(v).replace('T', ' ').slice(0, 16));
  hbs.registerHelper('money', (v: unknown) => (v === undefined || v === null || v === '' ? '' : groupThousands(money(new Decimal(String(v))))));
  /** A SKU in a URL path: "AB/1" must stay one segment. */
  hbs.registerHelper('enc', (v: unknown) => encodeURIComponent(String(v ?? '')));
  /** A fresh one-time key for a form (see server/http/form-claim.ts). */
  hbs.registerHelper('newId', () => crypto.randomUUID());
  /** Base currencies offered at set-up: the usual Xero and QuickBooks ones first. */
  hbs.registerHelper('currencies', () => ['GBP', 'AUD', 'NZD', 'USD', 'CAD', 'EUR', 'ZAR', 'SGD', 'HKD', 'JPY', 'KWD']);
  hbs.registerHelper('get', (obj: Record<string, unknown> | undefined, key: string) => obj?.[key]);
  hbs.registerHelper('can', (role: string, ...allowed: unknown[]) => allowed.slice(0, -1).includes(role));
}

const KIND_LABELS: Record<string, string> = {
  opening_balance: 'Opening stock',
  receipt: 'Receipt',
  issue: 'Issue',
  transfer: 'Transfer',
  adjustment: 'Adjustment',
  reversal: 'Reversal',
  revaluation: 'Bill price difference',
  job_consumption: 'Job consumption',
  job_completion: 'Job completion',
  dispatch: 'Dispatch',
  supplier_return: 'Return to supplier',
};

export function groupThousands(text: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!m) return text;
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

function iso(v: unknown): string {
  if (!v) return '';
  return v instanceof Date ? v.toISOString() : String(v);
}
