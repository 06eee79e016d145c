import { Trx } from '../../db';
import { Decimal, ZERO, QTY_DP, COST_DP, str } from '../../domain/decimal';
import { MAX_QUANTITY } from '../../domain/numbers';
import { nextDocumentNumber } from '../../repos/numbering';
import { baseUnitCost, toStockUnits, buyingLessFlag } from '../../domain/purchasing';
import { isIsoDate } from '../../domain/dates';
import { FieldProblem, Invalid, Conflict } from '../../errors';
import { partsAndLocations, Part } from '../../repos/catalogue';
import { getTenant, Tenant } from '../../repos/tenants';
import { today } from '../../clock';
import { supplierNamed } from './suppliers';
import { stockPositions } from './positions';
import { PoInput, PoLineInput } from './types';

const CURRENCY = /^[A-Z]{3}$/;

/**
 * Store one purchase order with its lines: the one path by which POs arrive (the API, the page,
 * CSV import, and later the Xero and QuickBooks connectors). Every problem is reported at once,
 * each at its field under `prefix` (an import names the CSV row instead).
 */
export async function savePurchaseOrder(trx: Trx, tenantId: string, input: PoInput, at: (field: string) => string = (f) => f): Promise<string> {
  const tenant = await getTenant(trx, tenantId);
  const locationCode = input.location ?? (await firstLocationCode(trx, tenantId));
  const { parts, locations } = await partsAndLocations(trx, tenantId, input.lines.map((l) => l.part), locationCode ? [locationCode] : []);
  const problems: FieldProblem[] = [];
  const currency = (input.currency ?? tenant.baseCurrency).toUpperCase();
  const rate = currency === tenant.baseCurrency ? input.currencyRate ?? new Decimal(1) : input.currencyRate;
  checkHeader(input, tenant, currency, rate, problems, at);
  const location = locationCode ? locations.get(locationCode) : undefined;
  if (!location) problems.push({ field: at('location'), message: locationCode ? `Unknown location ${locationCode}` : 'Create a location first: goods need somewhere to arrive' });
  if (!input.lines.length) problems.push({ field: at('lines'), message: 'Give at least one line' });
  input.lines.forEach((l, i) => checkLine(l, parts.get(l.part), rate, problems, (f) => at(`lines.${i}.${f}`)));
  if (problems.length) throw new Invalid(problems);

  const number = input.number ?? (await nextDocumentNumber(trx, 'purchase_orders', tenantId, 'PO'));
  const supplier = await supplierNamed(trx, tenantId, input.supplier.trim(), currency);
  const inserted = await trx('purchase_orders')
    .insert({
      tenant_id: tenantId,
      number,
      supplier_id: supplier.id,
      status: input.status ?? 'open',
      order_date: input.orderDate ?? today(),
      expected_date: input.expectedDate ?? null,
      currency,
      currency_rate: str(rate!),
      amounts: input.amounts ?? 'exclusive',
      location_id: location!.id,
      reference: input.reference ?? '',
      external_id: input.externalId ?? null,
    })
    .onConflict(['tenant_id', 'number']).ignore()
    .returning('id');
  if (!inserted.length) throw new Conflict(`Purchase order ${number} already exists`, at('number'));
  const poId = inserted[0].id as string;
  await insertLines(trx, tenant, poId, input, parts, rate!);
  return poId;
}

async function insertLines(trx: Trx, tenant: Tenant, poId: string, input: PoInput, parts: Map<string, Part>, rate: Decimal): Promise<void> {
  const lines = input.lines.map((l) => {
    const part = parts.get(l.part)!;
    const factor = l.unitsPerPurchaseUnit ?? new Decimal(1);
    const unitCost = baseUnitCost({ unitPrice: l.unitPrice, taxRate: l.taxRate ?? ZERO, amounts: input.amounts ?? 'exclusive', unitsPerPurchaseUnit: factor, currencyRate: rate });
    return { l, part, factor, unitCost, ordered: toStockUnits(l.quantity, factor) };
  });
  // Free stock as it stood before this PO: its own lines are not yet on order.
  const positions = await stockPositions(trx, tenant.id, lines.map((x) => x.part.id));
  await trx('purchase_order_lines').insert(
    lines.map(({ l, part, factor, unitCost, ordered }, i) => {
      const flag = buyingLessFlag(positions.get(part.id)!, ordered, unitCost, tenant.minorUnits);
      return {
        tenant_id: tenant.id,
        po_id: poId,
        line_no: i + 1,
        part_id: part.id,
        description: l.description ?? part.name,
        quantity: str(l.quantity),
        purchase_unit: l.purchaseUnit ?? part.unit,
        units_per_purchase_unit: str(factor),
        unit_price: str(l.unitPrice),
        tax_rate: str(l.taxRate ?? ZERO),
        account_code: l.accountCode ?? '',
        ordered_qty: str(ordered),
        unit_cost: str(unitCost),
        flag_free_stock: flag ? str(flag.freeStock) : null,
        flag_value: flag ? str(flag.value) : null,
      };
    }),
  );
}

function checkHeader(input: PoInput, tenant: Tenant, currency: string, rate: Decimal | undefined, problems: FieldProblem[], at: (f: string) => string): void {
  if (!input.supplier?.trim()) problems.push({ field: at('supplier'), message: 'Supplier is required' });
  if (input.number !== undefined && !/^[\w./#-]{1,40}$/.test(input.number)) problems.push({ field: at('number'), message: 'PO number must be 1 to 40 letters, digits or . / # - _' });
  for (const [f, v] of [['order_date', input.orderDate], ['expected_date', input.expectedDate]] as const) {
    if (v && !isIsoDate(v)) problems.push({ field: at(f), message: `${v} is not a date like 2026-11-25` });
  }
  if (!CURRENCY.test(currency)) problems.push({ field: at('currency'), message: `${currency} is not a three-letter currency code` });
  else if (!rate) problems.push({ field: at('currency_rate'), message: `A PO in ${currency} needs its rate: ${currency} per 1 ${tenant.baseCurrency}` });
  else if (!rate.isFinite() || !rate.gt(0)) problems.push({ field: at('currency_rate'), message: 'Currency rate must be greater than zero' });
  else if (currency === tenant.baseCurrency && !rate.eq(1)) problems.push({ field: at('currency_rate'), message: `A PO in the base currency (${currency}) has rate 1` });
}

function checkLine(l: PoLineInput, part: Part | undefined, rate: Decimal | undefined, problems: FieldProblem[], at: (f: string) => string): void {
  if (!part) {
    problems.push({ field: at('part'), message: `Unknown part ${l.part}` });
    return;
  }
  const factor = l.unitsPerPurchaseUnit ?? new Decimal(1);
  if (!l.quantity.gt(0)) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} must be greater than zero (got ${l.quantity.toFixed()})` });
  else if (l.quantity.decimalPlaces() > QTY_DP) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} has too many decimal places (at most ${QTY_DP})` });
  else if (!part.fractional && !toStockUnits(l.quantity, factor).isInteger()) {
    problems.push({ field: at('quantity'), message: `${part.sku} is counted in whole ${part.unit}; ${l.quantity.toFixed()} × ${factor.toFixed()} is not a whole number` });
  }
  if (!factor.gt(0) || factor.decimalPlaces() > QTY_DP) problems.push({ field: at('units_per_purchase_unit'), message: `Units per purchase unit of ${part.sku} must be a positive number (got ${factor.toFixed()})` });
  if (l.unitPrice.isNeg()) problems.push({ field: at('unit_price'), message: `Unit price of ${part.sku} must not be negative` });
  else if (l.unitPrice.decimalPlaces() > COST_DP) problems.push({ field: at('unit_price'), message: `Unit price of ${part.sku} has too many decimal places (at most ${COST_DP})` });
  const tax = l.taxRate ?? ZERO;
  if (tax.isNeg() || tax.gt(100) || tax.decimalPlaces() > 4) problems.push({ field: at('tax_rate'), message: `Tax rate of ${part.sku} must be a percentage from 0 to 100, with at most 4 decimal places` });
  // Beyond these the numeric columns would overflow: say which field, not "value too large".
  if (toStockUnits(l.quantity, factor).gt(MAX_QUANTITY)) problems.push({ field: at('quantity'), message: `Quantity of ${part.sku} is more than ${MAX_QUANTITY.toFixed()} ${part.unit}` });
  if (rate?.gt(0) && factor.gt(0) && baseUnitCost({ unitPrice: l.unitPrice.abs(), taxRate: ZERO, amounts: 'exclusive', unitsPerPurchaseUnit: factor, currencyRate: rate }).mul(toStockUnits(l.quantity, factor)).gt(MAX_LINE_VALUE)) {
    problems.push({ field: at('unit_price'), message: `The line for ${part.sku} would be worth more than ${MAX_LINE_VALUE.toFixed()} in the base currency; check the quantity, price and currency rate` });
  }
}

/** Far beyond any real purchase line, and inside what the value columns hold. */
const MAX_LINE_VALUE = new Decimal('1e15');

async function firstLocationCode(trx: Trx, tenantId: string): Promise<string | undefined> {
  const row = await trx('locations').where({ tenant_id: tenantId }).orderBy('code').first('code');
  return row?.code;
}

