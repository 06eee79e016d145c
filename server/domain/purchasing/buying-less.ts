import { Decimal, roundMoney } from '../decimal';

export type StockPosition = { onHand: Decimal; allocated: Decimal; onOrder: Decimal; demand: Decimal };
export type BuyingLessFlag = { freeStock: Decimal; value: Decimal };

/** Free stock: what is, or will be, on the shelf that nothing has claimed. */
export function freeStock(p: StockPosition): Decimal {
  return p.onHand.minus(p.allocated).plus(p.onOrder).minus(p.demand);
}

/**
 * A purchase line is flagged when free stock already covers its whole quantity: the money it
 * would tie up is the line's value, since none of it is needed yet.
 */
export function buyingLessFlag(p: StockPosition, quantity: Decimal, unitCost: Decimal, dp: number): BuyingLessFlag | null {
  const free = freeStock(p);
  if (free.lt(quantity)) return null;
  return { freeStock: free, value: roundMoney(quantity.mul(unitCost), dp) };
}
