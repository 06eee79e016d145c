import { Decimal, ZERO } from '../decimal';
import { Layer, InboundPlan, ValuationMethod, unitCostOf } from './layers';

/**
 * Where an inbound quantity goes. FIFO and LIFO keep one layer per receipt; moving weighted
 * average keeps one open layer per part and location whose cost is re-averaged on every receipt.
 */
export function planInbound(method: ValuationMethod, layers: Layer[], qty: Decimal, unitCost: Decimal): InboundPlan {
  const value = qty.mul(unitCost);
  if (method === 'weighted_average') {
    const open = layers.filter((l) => l.remainingQty.gt(0)).sort((a, b) => a.seq - b.seq);
    if (open.length === 1) {
      const layer = open[0];
      const newQty = layer.remainingQty.plus(qty);
      const newValue = layer.remainingValue.plus(value);
      return { kind: 'merge', layerId: layer.id, qty: newQty, value: newValue, unitCost: unitCostOf(newQty, newValue) };
    }
  }
  return { kind: 'new', qty, value, unitCost };
}

/** The unit cost a quantity found in a count or adjustment is valued at when the user gives none. */
export function currentUnitCost(method: ValuationMethod, layers: Layer[]): Decimal | null {
  const open = layers.filter((l) => l.remainingQty.gt(0));
  if (!open.length) return null;
  if (method === 'weighted_average' || open.length === 1) {
    const q = open.reduce((a, l) => a.plus(l.remainingQty), ZERO);
    const v = open.reduce((a, l) => a.plus(l.remainingValue), ZERO);
    return unitCostOf(q, v);
  }
  // FIFO/LIFO: the newest layer's cost is the best estimate of replacement cost.
  const newest = [...open].sort((a, b) => b.seq - a.seq)[0];
  return unitCostOf(newest.remainingQty, newest.remainingValue);
}
