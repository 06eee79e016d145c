import crypto from 'node:crypto';
import { Decimal, ZERO, sum } from '../../domain/decimal';
import { drawFromLayers, inRecordedOrder, planInbound, currentUnitCost, unitCostOf, drawValue, ValuationMethod, Draw } from '../../domain/costing';
import { assertAvailable } from '../../domain/stock/rules';
import { InsufficientStock, Conflict, Invalid } from '../../errors';
import { LayerRow, MovementRow, NewLayer, SerialRow, BalanceRow, pairKey, layerKey, balanceKey } from '../../repos/ledger';
import { EventRows } from '../../repos/event-rows';
import { InLeg, OutLeg, Leg, RevalueLeg } from './types';

/**
 * Applies the legs of one business event to the parts' layers, balances and serials in memory
 * (pure bookkeeping over rows the caller loaded under the part locks); rows() is what to write.
 */
export class EventWriter {
  readonly movements: MovementRow[] = [];
  private layers = new Map<string, LayerRow[]>();
  private newLayers: NewLayer[] = [];
  private changedLayers = new Set<string>();
  private consumptions: { movementId: string; layerId: string; qty: Decimal; value: Decimal }[] = [];
  private balanceDeltas = new Map<string, { partId: string; locationId: string; lot: string; delta: Decimal }>();
  private lastDraws: Draw[] = [];
  private serialState = new Map<string, SerialRow & { movementId: string }>();
  /** Layers a transfer created, and the layer each one's units came from. */
  readonly parents = new Map<string, string>();

  constructor(
    private readonly method: ValuationMethod,
    private readonly eventId: string,
    private readonly occurredOn: string,
    private readonly balancesNow: Map<string, BalanceRow>,
    private readonly serialsNow: Map<string, SerialRow>,
    layers: LayerRow[],
  ) {
    for (const l of layers) this.layersAt(l.partId, l.locationId, l.lot).push(l);
  }

  apply(leg: Leg): void {
    if (leg.dir === 'out') this.applyOut(leg);
    else if (leg.dir === 'revalue') this.applyRevalue(leg);
    else this.applyIn(leg);
  }

  /** The layer's value moves by the leg's value; its quantity does not (the movement's quantity is zero). */
  private applyRevalue(leg: RevalueLeg): void {
    const layer = this.layersAt(leg.part.id, leg.location.id, leg.lot).find((l) => l.id === leg.layerId);
    if (!layer || layer.remainingValue.plus(leg.value).isNeg()) {
      throw new Conflict(`${leg.part.sku} at ${leg.location.code} no longer holds that stock to revalue; record the bill again`, leg.field);
    }
    layer.remainingValue = layer.remainingValue.plus(leg.value);
    this.changedLayers.add(layer.id);
    this.addMovement(leg, ZERO, leg.value);
  }

  /** Layers restored by a reversal may be closed ones, so the caller loads them explicitly. */
  addLayers(rows: LayerRow[]): void {
    for (const l of rows) {
      const list = this.layersAt(l.partId, l.locationId, l.lot);
      if (!list.some((x) => x.id === l.id)) list.push(l);
    }
  }

  /** The cost layers of one part, location and lot (lots are costed separately). */
  private layersAt(partId: string, locationId: string, lot: string): LayerRow[] {
    const key = layerKey(partId, locationId, lot);
    if (!this.layers.has(key)) this.layers.set(key, []);
    return this.layers.get(key)!;
  }

  private applyOut(leg: OutLeg): void {
    const { part, location, lot } = leg;
    const onHand = this.onHand(part.id, location.id, lot);
    const allocated = this.balancesNow.get(balanceKey(part.id, location.id, lot))?.allocated ?? ZERO;
    assertAvailable({ part: part.sku, location: location.code, lot: lot || undefined, onHand, allocated, requested: leg.qty }, leg.field);
    if (leg.serial) this.moveSerialOut(leg);
    const layers = this.layersAt(part.id, location.id, lot);
    const draws = this.costOut(leg, layers);
    this.lastDraws = inRecordedOrder(draws, layers);
    const value = sum(draws.map((d) => d.value));
    const movementId = this.addMovement(leg, leg.qty.neg(), value.neg());
    for (const d of draws) {
      const layer = layers.find((l) => l.id === d.layerId)!;
      layer.remainingQty = layer.remainingQty.minus(d.qty);
      layer.remainingValue = layer.remainingValue.minus(d.value);
      this.changedLayers.add(layer.id);
      this.consumptions.push({ movementId, layerId: d.layerId, qty: d.qty, value: d.value });
    }
  }

  private costOut(leg: OutLeg, layers: LayerRow[]): Draw[] {
    const open = layers.filter((l) => l.remainingQty.gt(0));
    if (leg.cost.kind === 'method') {
      const r = drawFromLayers(this.method, open, leg.qty);
      if (!r.ok) throw this.layerShortage(leg, r.available);
      return r.draws;
    }
    if (leg.cost.kind === 'layers') {
      // Undoing an inbound movement takes back exactly the layers it created.
      const own = leg.cost.layerIds.map((id) => open.find((l) => l.id === id)).filter((l): l is LayerRow => !!l);
      const left = sum(own.map((l) => l.remainingQty));
      if (left.lt(leg.qty)) {
        throw new Conflict(`${leg.part.sku} from this movement has already been issued (only ${left.toFixed()} of it is left at ${leg.location.code}); reverse the later issues first or post an adjustment`, leg.field);
      }
      const r = drawFromLayers('fifo', own, leg.qty);
      return r.ok ? r.draws : [];
    }
    // Weighted average: take the quantity back out at exactly the value it came in with.
    const value = leg.cost.value;
    const layer = open[0];
    if (!layer || layer.remainingQty.lt(leg.qty) || layer.remainingValue.lt(value)) {
      throw new Conflict(`${leg.part.sku} at ${leg.location.code} no longer holds this quantity at this value; post an adjustment instead`, leg.field);
    }
    return [{ layerId: layer.id, qty: leg.qty, value }];
  }

  private layerShortage(leg: OutLeg, available: Decimal): InsufficientStock {
    return new InsufficientStock({ part: leg.part.sku, location: leg.location.code, onHand: available.toFixed(), requested: leg.qty.toFixed(), shortBy: leg.qty.minus(available).toFixed() }, leg.field);
  }

  private applyIn(leg: InLeg): void {
    const { part, location } = leg;
    if (leg.serial) this.moveSerialIn(leg);
    const layers = this.layersAt(part.id, location.id, leg.lot);
    if (leg.cost.kind === 'restore') {
      const value = sum(leg.cost.draws.map((d) => d.value));
      this.addMovement(leg, leg.qty, value);
      for (const d of leg.cost.draws) this.restoreInto(layers, d);
      return;
    }
    const pieces = this.piecesFor(leg, layers);
    const movementId = this.addMovement(leg, leg.qty, sum(pieces.map((p) => p.value)));
    for (const p of pieces) this.addPiece(layers, leg, movementId, p.qty, p.value, p.parent);
  }

  private piecesFor(leg: InLeg, layers: LayerRow[]): { qty: Decimal; value: Decimal; parent?: string }[] {
    const c = leg.cost;
    if (c.kind === 'unit') return [{ qty: leg.qty, value: leg.qty.mul(c.unitCost) }];
    if (c.kind === 'pieces') return c.pieces;
    if (c.kind === 'carried') return this.lastDraws.map((d) => ({ qty: d.qty, value: d.value, parent: d.layerId }));
    // A count gain is valued at the lot's current cost, or (a lot not yet here) the part's at this location.
    const cost = currentUnitCost(this.method, layers.filter((l) => l.remainingQty.gt(0))) ?? currentUnitCost(this.method, this.allLotsAt(leg.part.id, leg.location.id));
    if (!cost) throw new Invalid([{ field: leg.field.replace(/quantity$|serials\[\d+\]$/, 'unit_cost'), message: `Unit cost is required: ${leg.part.sku} has no stock at ${leg.location.code} to take a cost from` }]);
    return [{ qty: leg.qty, value: leg.qty.mul(cost) }];
  }

  private allLotsAt(partId: string, locationId: string): LayerRow[] {
    const prefix = `${pairKey(partId, locationId)}|`;
    return [...this.layers].filter(([k]) => k.startsWith(prefix)).flatMap(([, l]) => l).filter((l) => l.remainingQty.gt(0));
  }

  private addPiece(layers: LayerRow[], leg: InLeg, movementId: string, qty: Decimal, value: Decimal, parent?: string): void {
    const open = layers.filter((l) => l.remainingQty.gt(0));
    const plan = planInbound(this.method, open, qty, unitCostOf(qty, value));
    if (plan.kind === 'merge') {
      const layer = layers.find((l) => l.id === plan.layerId)!;
      layer.remainingQty = layer.remainingQty.plus(qty);
      layer.remainingValue = layer.remainingValue.plus(value);
      this.changedLayers.add(layer.id);
      return;
    }
    const id = crypto.randomUUID();
    const seq = Number.MAX_SAFE_INTEGER - 1_000_000 + this.newLayers.length; // newer than anything stored
    layers.push({ id, seq, partId: leg.part.id, locationId: leg.location.id, lot: leg.lot, remainingQty: qty, remainingValue: value });
    this.newLayers.push({ id, partId: leg.part.id, locationId: leg.location.id, lot: leg.lot, sourceMovementId: movementId, qty, value, unitCost: unitCostOf(qty, value) });
    if (parent) this.parents.set(id, parent);
  }

  /** Undoing an issue puts the quantity back into the layers it came from (under average cost, into the open layer). */
  private restoreInto(layers: LayerRow[], d: { layerId: string; qty: Decimal; value: Decimal }): void {
    const open = layers.find((l) => l.remainingQty.gt(0));
    const target = this.method === 'weighted_average' && open ? open : layers.find((l) => l.id === d.layerId)!;
    target.remainingQty = target.remainingQty.plus(d.qty);
    target.remainingValue = target.remainingValue.plus(d.value);
    this.changedLayers.add(target.id);
  }

  private onHand(partId: string, locationId: string, lot: string): Decimal {
    const key = balanceKey(partId, locationId, lot);
    const base = this.balancesNow.get(key)?.onHand ?? ZERO;
    return base.plus(this.balanceDeltas.get(key)?.delta ?? ZERO);
  }

  private addMovement(leg: Leg, qty: Decimal, value: Decimal): string {
    const id = crypto.randomUUID();
    this.movements.push({
      id,
      eventId: this.eventId,
      partId: leg.part.id,
      locationId: leg.location.id,
      lot: leg.lot,
      serial: leg.serial,
      quantity: qty,
      unitCost: unitCostOf(qty.abs(), value.abs()),
      value,
      occurredOn: this.occurredOn,
      reversesMovementId: leg.reversesMovementId ?? null,
    });
    const key = balanceKey(leg.part.id, leg.location.id, leg.lot);
    const prev = this.balanceDeltas.get(key)?.delta ?? ZERO;
    this.balanceDeltas.set(key, { partId: leg.part.id, locationId: leg.location.id, lot: leg.lot, delta: prev.plus(qty) });
    if (leg.serial) this.serialState.get(`${leg.part.id}|${leg.serial}`)!.movementId = id;
    return id;
  }

  private currentSerial(partId: string, serial: string): SerialRow | undefined {
    return this.serialState.get(`${partId}|${serial}`) ?? this.serialsNow.get(`${partId}|${serial}`);
  }

  private moveSerialOut(leg: OutLeg): void {
    const s = this.currentSerial(leg.part.id, leg.serial!);
    if (!s || s.status !== 'in_stock' || s.locationId !== leg.location.id || s.lot !== leg.lot) {
      const where = s?.status === 'in_stock' ? `it is at another location` : 'it is not in stock';
      throw new Invalid([{ field: leg.field, message: `Serial ${leg.serial} of ${leg.part.sku} cannot leave ${leg.location.code}: ${where}` }]);
    }
    this.serialState.set(`${leg.part.id}|${leg.serial}`, { ...s, status: 'out', locationId: null, movementId: '' });
  }

  private moveSerialIn(leg: InLeg): void {
    const s = this.currentSerial(leg.part.id, leg.serial!);
    if (s?.status === 'in_stock') {
      throw new Conflict(`Serial ${leg.serial} of ${leg.part.sku} is already in stock; a serial is unique per part`, leg.field);
    }
    this.serialState.set(`${leg.part.id}|${leg.serial}`, { partId: leg.part.id, serial: leg.serial!, locationId: leg.location.id, lot: leg.lot, status: 'in_stock', movementId: '' });
  }

  /**
   * The rows to write. A layer created by this event is inserted with its state after every leg
   * (a later leg of the same event may have drawn from it); only layers that existed before are updated.
   */
  rows(): Pick<EventRows, 'movements' | 'newLayers' | 'changedLayers' | 'consumptions' | 'balanceDeltas' | 'serials'> {
    const all = new Map([...this.layers.values()].flat().map((l) => [l.id, l]));
    const created = new Set(this.newLayers.map((n) => n.id));
    return {
      movements: this.movements,
      newLayers: this.newLayers.map((n) => ({ id: n.id, partId: n.partId, locationId: n.locationId, lot: n.lot, sourceMovementId: n.sourceMovementId, originalQty: n.qty, unitCost: n.unitCost, remainingQty: all.get(n.id)!.remainingQty, remainingValue: all.get(n.id)!.remainingValue })),
      changedLayers: [...this.changedLayers].filter((id) => !created.has(id)).map((id) => all.get(id)!),
      consumptions: this.consumptions,
      balanceDeltas: [...this.balanceDeltas.values()],
      serials: [...this.serialState.values()],
    };
  }
}
