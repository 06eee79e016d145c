import { Decimal } from '../../domain/decimal';

export type CreateJobInput = {
  part: string; // SKU of the assembly
  quantity: Decimal;
  location?: string; // code; default: the part's default location, else the first
  customer?: string | null;
  dueOn: string;
  priority?: number;
  salePrice?: Decimal | null;
  labourRate?: Decimal | null;
  notes?: string;
  includeOptional?: boolean;
  release?: boolean;
};

/** What the assembler says was used for one line, when it differs from the BOM's quantity. */
export type LineUse = {
  line: string; // the job line's id, or the component's SKU
  quantity?: Decimal; // consumed into the job (default: what the completed units call for)
  scrapped?: Decimal; // broken or lost beyond attrition: abnormal loss, not job cost
  lots?: { lot: string; quantity: Decimal }[];
  serials?: string[]; // serial parts: one per unit consumed and scrapped
};

export type CompleteStepInput = {
  step: number;
  quantity: Decimal; // units of the assembly the step was done for
  lines?: LineUse[];
  labourMinutes?: Decimal;
  occurredOn: string;
};

export type CompleteJobInput = {
  quantity?: Decimal; // good units made (default: the job quantity less units done and scrapped)
  scrappedUnits?: Decimal; // units failed at completion: their share of cost is abnormal loss
  serials?: string[]; // serial-tracked assemblies: one per good unit
  lot?: string; // lot-tracked assemblies: default the job number
  lines?: LineUse[];
  labourMinutes?: Decimal;
  finish?: boolean; // finished short of the job quantity: no more units will be made
  occurredOn: string;
};

export type DispatchInput = {
  customer: string;
  reference?: string;
  occurredOn: string;
  location?: string;
  lines: { part: string; quantity: Decimal; serials?: string[]; lot?: string; job?: string; unitPrice?: Decimal | null }[];
};
