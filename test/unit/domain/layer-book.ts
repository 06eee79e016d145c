import { Decimal, dec } from '../../../server/domain/decimal';
import { Draw, InboundPlan, Layer, ValuationMethod, applyDraws, drawFromLayers, planInbound, totalQty, totalValue } from '../../../server/domain/costing';

/**
 * The layer bookkeeping a service does around the pure costing functions, kept in memory so a
 * worked exercise can be replayed step by step: 'new' plans append a layer with the next seq,
 * 'merge' plans overwrite the merged layer's remaining quantity and value with the plan's.
 */
export class LayerBook {
  layers: Layer[] = [];
  private nextSeq = 1;

  constructor(readonly method: ValuationMethod) {}

  receive(qty: string, unitCost: string): InboundPlan {
    const plan = planInbound(this.method, this.layers, dec(qty), dec(unitCost));
    if (plan.kind === 'new') {
      const seq = this.nextSeq++;
      this.layers.push({ id: `L${seq}`, seq, remainingQty: plan.qty, remainingValue: plan.value });
    } else {
      this.layers = this.layers.map((l) => (l.id === plan.layerId ? { ...l, remainingQty: plan.qty, remainingValue: plan.value } : l));
    }
    return plan;
  }

  issue(qty: string): { value: Decimal; draws: Draw[] } {
    const r = drawFromLayers(this.method, this.layers, dec(qty));
    if (!r.ok) throw new Error(`short: only ${r.available.toFixed()} available for an issue of ${qty}`);
    this.layers = applyDraws(this.layers, r.draws);
    return { value: r.value, draws: r.draws };
  }

  get qty(): string {
    return totalQty(this.layers).toFixed();
  }

  get value(): string {
    return totalValue(this.layers).toFixed();
  }

  /** Open layers as "id qty/value" so a test can assert which receipts are left. */
  get open(): string[] {
    return this.layers.filter((l) => l.remainingQty.gt(0)).map((l) => `${l.id} ${l.remainingQty.toFixed()}/${l.remainingValue.toFixed()}`);
  }
}

export type Step = { in: string; at: string } | { out: string };

/** Replays the steps and returns the cost of each issue, in order, as exact decimal strings. */
export function replay(book: LayerBook, steps: Step[]): string[] {
  const issueCosts: string[] = [];
  for (const s of steps) {
    if ('in' in s) book.receive(s.in, s.at);
    else issueCosts.push(book.issue(s.out).value.toFixed());
  }
  return issueCosts;
}

/** Opening 100 @ 10, buy 200 @ 11, issue 150, buy 100 @ 12, issue 180. */
export const CLASSIC: Step[] = [{ in: '100', at: '10' }, { in: '200', at: '11' }, { out: '150' }, { in: '100', at: '12' }, { out: '180' }];

/** Opening 200 @ 5.00, buy 300 @ 5.50, issue 250, buy 400 @ 6.00, issue 350, buy 100 @ 6.25, issue 300. */
export const FOUR_PRICES: Step[] = [
  { in: '200', at: '5.00' },
  { in: '300', at: '5.50' },
  { out: '250' },
  { in: '400', at: '6.00' },
  { out: '350' },
  { in: '100', at: '6.25' },
  { out: '300' },
];
