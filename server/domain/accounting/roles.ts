// The accounts a journal can touch, by the part they play; each organisation maps them to codes.
export const ACCOUNT_ROLES = [
  'raw_materials',
  'wip',
  'finished_goods',
  'grni',
  'cogs',
  'ppv',
  'stock_adjustments',
  'scrap',
  'opening_balance',
  'labour_applied',
  'supplier_credits',
] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];
export type StockRole = 'raw_materials' | 'finished_goods';
export const STOCK_ROLES: readonly AccountRole[] = ['raw_materials', 'wip', 'finished_goods'];

export const ROLE_LABELS: Record<AccountRole, string> = {
  raw_materials: 'Raw materials stock',
  wip: 'Work in progress',
  finished_goods: 'Finished goods stock',
  grni: 'Goods received not invoiced',
  cogs: 'Cost of goods sold',
  ppv: 'Purchase price variance',
  stock_adjustments: 'Stock adjustments (shrinkage)',
  scrap: 'Scrap / abnormal loss',
  opening_balance: 'Opening stock offset',
  labour_applied: 'Labour absorbed into jobs',
  supplier_credits: 'Supplier credits expected (billed goods returned)',
};

/**
 * Suggested codes: ordinary current-asset, liability and expense accounts. 630 is Xero's own
 * INVENTORY-type "Inventory" in every new Xero organisation, which Xero refuses in manual journals:
 * connecting Xero moves a role off such an account (chart.ts, movesOffInventory), so the
 * suggestion stands only where no Xero chart says otherwise (QuickBooks, the offline export).
 */
export const DEFAULT_ACCOUNTS: Record<AccountRole, { code: string; name: string }> = {
  raw_materials: { code: '630', name: 'Raw Materials Stock' },
  wip: { code: '631', name: 'Work in Progress' },
  finished_goods: { code: '632', name: 'Finished Goods Stock' },
  grni: { code: '815', name: 'Goods Received Not Invoiced' },
  cogs: { code: '310', name: 'Cost of Goods Sold' },
  ppv: { code: '311', name: 'Purchase Price Variance' },
  stock_adjustments: { code: '312', name: 'Stock Adjustments' },
  scrap: { code: '313', name: 'Scrap and Abnormal Loss' },
  opening_balance: { code: '840', name: 'Historical Adjustment' },
  labour_applied: { code: '314', name: 'Labour Absorbed into Jobs' },
  supplier_credits: { code: '635', name: 'Supplier Credits Expected' },
};

export type AccountMapping = Record<AccountRole, { code: string; name: string }>;
