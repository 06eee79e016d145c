import { Decimal, COST_DP } from '../decimal';

export type AmountsMode = 'exclusive' | 'inclusive' | 'no_tax';

export type PriceTerms = {
  unitPrice: Decimal; // per purchase unit, in the document's currency, as the document states it
  taxRate: Decimal; // percent
  amounts: AmountsMode;
  unitsPerPurchaseUnit: Decimal; // stock units in one purchase unit (a box of 100)
  currencyRate: Decimal; // document currency per one unit of base currency (Xero's CurrencyRate)
};

/**
 * What one stock unit costs in the base currency, excluding tax: the price a receipt values
 * stock at and a bill is compared against. Tax-inclusive prices have their tax taken out first.
 */
export function baseUnitCost(t: PriceTerms): Decimal {
  const exTax = t.amounts === 'inclusive' ? t.unitPrice.div(t.taxRate.div(100).plus(1)) : t.unitPrice;
  return exTax.div(t.unitsPerPurchaseUnit).div(t.currencyRate).toDecimalPlaces(COST_DP);
}

/** A quantity in purchase units (boxes) as stock units (pieces). */
export function toStockUnits(purchaseQty: Decimal, unitsPerPurchaseUnit: Decimal): Decimal {
  return purchaseQty.mul(unitsPerPurchaseUnit);
}
