import { ValuationMethod } from './layers';

export type ReportingFramework = 'IFRS' | 'FRS102' | 'US_GAAP';

export const LIFO_REFUSED_REASON =
  'LIFO is not permitted under IAS 2 (IFRS) or FRS 102 section 13; it is available only to organisations reporting under US GAAP';

/** Null when the method is allowed; otherwise the reason it is not. */
export function methodRefusal(method: ValuationMethod, framework: ReportingFramework): string | null {
  if (method === 'lifo' && framework !== 'US_GAAP') return LIFO_REFUSED_REASON;
  return null;
}
