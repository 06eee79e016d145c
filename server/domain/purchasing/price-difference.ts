import { Decimal, ZERO, VALUE_DP } from '../decimal';
import { firstOpenDay } from '../dates';

/**
 * How a bill's price difference on `billedQty` units of one receipt splits between stock still
 * on hand (revalued) and stock already consumed or sold (purchase price variance).
 * The receipt's consumed units are taken to be its earliest billed ones, so however the receipt
 * is billed in parts, each unit is counted once: consumed = received - still on hand.
 */
export type DifferenceInput = {
  receivedQty: Decimal; // the receipt's quantity
  stillOnHand: Decimal; // what is left of it in its cost layers (at most receivedQty)
  billedBefore: Decimal; // units of this receipt billed by earlier bills
  billedQty: Decimal; // units this bill pays for
  receiptUnitCost: Decimal;
  billUnitCost: Decimal;
  layerValue: Decimal; // value left in the receipt's layers: a revaluation never takes it below zero
};

export type DifferenceSplit = { onHandQty: Decimal; consumedQty: Decimal; revalue: Decimal; variance: Decimal };

export function splitPriceDifference(d: DifferenceInput): DifferenceSplit {
  const perUnit = d.billUnitCost.minus(d.receiptUnitCost);
  const consumed = Decimal.max(d.receivedQty.minus(d.stillOnHand), ZERO);
  const consumedQty = Decimal.min(Decimal.max(consumed.minus(d.billedBefore), ZERO), d.billedQty);
  const onHandQty = d.billedQty.minus(consumedQty);
  let revalue = onHandQty.mul(perUnit).toDecimalPlaces(VALUE_DP);
  let variance = consumedQty.mul(perUnit).toDecimalPlaces(VALUE_DP);
  if (d.layerValue.plus(revalue).isNeg()) {
    // A price cut larger than the value left: the layer goes to zero, the rest is variance.
    variance = variance.plus(revalue.plus(d.layerValue));
    revalue = d.layerValue.neg();
  }
  return { onHandQty, consumedQty, revalue, variance };
}

/**
 * The business date a bill's price difference is posted on: the bill's own date, but never before
 * the stock it revalues was there (a bill dated the day before the goods arrived would give the
 * as-at valuation value with no quantity, and GRNI a debit before its credit), nor in a locked period.
 */
export function differenceDate(billDate: string, stockSince: string[], lockDate: string | null): string {
  const latest = stockSince.reduce((a, d) => (d > a ? d : a), billDate);
  return firstOpenDay(latest, lockDate);
}
