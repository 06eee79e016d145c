import { Decimal, dec } from '../../domain/decimal';
import { PartInput } from '../catalogue';
import { LineInput } from '../stock/types';
import { BAY, FAMILIES, FIXED_MAIN, Family, MAIN } from './catalogue';

/*
 * Pure planning: the parts and the opening stock, drawn from one seeded generator. The draws
 * happen in a fixed order (catalogue first, then opening stock part by part), so two runs with the
 * same `today` give the same plan; keep that order when changing anything here.
 */

const SEED = 0x5eed_2026;

export type PlannedPart = PartInput & { family: Family; cost: Decimal };

export type DemoPlan = {
  firstOfMonth: string;
  planned: PlannedPart[];
  opening: LineInput[];
  /** Serials for the motors the first demo receipt brings in, numbered after the opening ones. */
  receivedMotors: string[];
  /** Serials for the serial-tracked units the open POs' first deliveries bring in, by SKU. */
  orderedSerials: Record<string, string[]>;
};

/** mulberry32: a small, fast, seeded generator; the same seed always gives the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An EAN-13 under a made-up GS1 company prefix, with its check digit. */
export function ean13(n: number): string {
  const body = `50612345${String(n).padStart(4, '0')}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 ? 3 : 1), 0);
  return body + ((10 - (sum % 10)) % 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The seeded generator and the serial counters for one run. */
type Gen = {
  rand: () => number;
  int: (lo: number, hi: number) => number;
  firstOfMonth: string;
  yy: string;
  serialNo: Map<string, number>;
};

function generator(today: string): Gen {
  const rand = prng(SEED);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  return { rand, int, firstOfMonth: `${today.slice(0, 7)}-01`, yy: today.slice(2, 4), serialNo: new Map() };
}

export function planDemo(today: string): DemoPlan {
  const g = generator(today);
  const planned = planParts(g);
  const opening = openingLines(g, planned);
  const receivedMotors = [nextSerial(g, 'MTR'), nextSerial(g, 'MTR')];
  // Serials draw no random numbers, so these leave the catalogue and opening stock as they were.
  const orderedSerials = {
    'MTR-IE3-1.5-4P': [nextSerial(g, 'MTR'), nextSerial(g, 'MTR')],
    'VFD-5.5': [nextSerial(g, 'VFD')],
  };
  return { firstOfMonth: g.firstOfMonth, planned, opening, receivedMotors, orderedSerials };
}

// The catalogue.

function planParts(g: Gen): PlannedPart[] {
  const planned: PlannedPart[] = [];
  let barcodeNo = 0;
  for (const f of FAMILIES) {
    for (const item of f.items) {
      barcodeNo += 1;
      planned.push(planPart(g, f, item, barcodeNo));
    }
  }
  return planned;
}

function planPart(g: Gen, f: Family, [suffix, name, cost, description]: Family['items'][number], barcodeNo: number): PlannedPart {
  const typical = (f.qty[0] + f.qty[1] + 1) >> 1; // the midpoint, halves rounded up, in integers
  const barcode = g.rand() < f.barcodes ? ean13(barcodeNo) : null;
  const reorderPoint = f.reorder && g.rand() < 0.85 ? Decimal.max(1, dec(typical).mul(f.reorder).toDecimalPlaces(0)) : null;
  return {
    sku: `${f.prefix}-${suffix}`,
    name,
    description: description ?? '',
    unit: f.unit ?? 'each',
    fractional: f.fractional ?? false,
    barcode,
    source: f.source ?? 'bought',
    tracking: f.tracking ?? 'none',
    reorderPoint,
    defaultLocation: f.defaultLocation ?? null,
    family: f,
    cost: dec(cost),
  };
}

export function partInput(p: PlannedPart): PartInput {
  const { sku, name, description, unit, fractional, barcode, source, tracking, reorderPoint, defaultLocation } = p;
  return { sku, name, description, unit, fractional, barcode, source, tracking, reorderPoint, defaultLocation };
}

// Opening stock: a price near the typical one (4 dp below £1, else pence), quantities per location.

function openingLines(g: Gen, planned: PlannedPart[]): LineInput[] {
  const opening: LineInput[] = [];
  for (const p of planned) {
    const f = p.family;
    const unitCost = priceNear(g, p.cost);
    const fixed = FIXED_MAIN[p.sku];
    const inMain = fixed !== undefined || g.rand() < 0.88;
    if (inMain) opening.push(...openingAt(g, p, MAIN, fixed !== undefined ? dec(fixed) : quantity(g, p, f.qty[0], f.qty[1]), unitCost));
    if (g.rand() < f.bay) opening.push(...openingAt(g, p, BAY, quantity(g, p, 1, Math.max(1, (f.qty[1] + 2) >> 2)), unitCost));
  }
  return opening;
}

function openingAt(g: Gen, p: PlannedPart, location: string, qty: Decimal, unitCost: Decimal): LineInput[] {
  const f = p.family;
  if (p.tracking === 'serial') {
    return [{ part: p.sku, location, quantity: qty, unitCost, serials: Array.from({ length: qty.toNumber() }, () => nextSerial(g, f.code!)) }];
  }
  if (p.tracking === 'lot' && qty.gte(4) && g.rand() < 0.5) {
    // Two batches on the shelf: an older, smaller one and the current one.
    const older = p.fractional ? qty.div(3).toDecimalPlaces(2) : qty.div(3).floor();
    return [
      { part: p.sku, location, quantity: older, unitCost: priceNear(g, unitCost, 60), lot: lotCode(g, f, g.int(3, 6)) },
      { part: p.sku, location, quantity: qty.minus(older), unitCost, lot: lotCode(g, f, g.int(1, 2)) },
    ];
  }
  return [{ part: p.sku, location, quantity: qty, unitCost, ...(p.tracking === 'lot' ? { lot: lotCode(g, f, g.int(1, 4)) } : {}) }];
}

function nextSerial(g: Gen, code: string): string {
  const n = (g.serialNo.get(code) ?? 0) + 1;
  g.serialNo.set(code, n);
  return `${code}-${g.yy}-${String(n).padStart(4, '0')}`;
}

function priceNear(g: Gen, base: Decimal, spreadPerMille = 160): Decimal {
  const factor = dec(1000 - spreadPerMille / 2 + g.int(0, spreadPerMille)).div(1000);
  return base.times(factor).toDecimalPlaces(base.lt(1) ? 4 : 2);
}

function quantity(g: Gen, p: PlannedPart, lo: number, hi: number): Decimal {
  const whole = dec(g.int(lo, hi));
  return p.fractional ? whole.plus(dec(g.int(0, 3)).times('0.25')) : whole;
}

function lotCode(g: Gen, f: Family, monthsBack: number): string {
  const d = new Date(`${g.firstOfMonth}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - monthsBack);
  return `${f.code}-${d.toISOString().slice(2, 4)}${d.toISOString().slice(5, 7)}-${String(g.int(100, 999))}`;
}
