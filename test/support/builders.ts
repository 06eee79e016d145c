import { Db } from '../../server/db';
import { createOrganisation } from '../../server/services/auth/accounts';
import { createPart, createLocation, PartInput } from '../../server/services/catalogue';
import { updateSettings } from '../../server/services/settings';
import { Actor } from '../../server/services/stock/types';
import { ValuationMethod, ReportingFramework } from '../../server/domain/costing';
import crypto from 'node:crypto';

/** An organisation with an admin actor, the MAIN location and a second location B. */
export async function givenOrganisation(db: Db, opts: { method?: ValuationMethod; framework?: ReportingFramework; currency?: string } = {}): Promise<Actor> {
  const tag = crypto.randomBytes(4).toString('hex');
  const user = await createOrganisation(db, { organisation: `Test Works ${tag}`, name: 'Ada Admin', email: `ada-${tag}@example.com`, password: 'correct horse battery', baseCurrency: opts.currency });
  await createLocation(db, user.tenantId, { code: 'B', name: 'Bay B', warehouse: 'Main', bin: 'B-01' });
  if (opts.method || opts.framework) await updateSettings(db, user.tenantId, { valuationMethod: opts.method, reportingFramework: opts.framework });
  return { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
}

export async function givenPart(db: Db, actor: Actor, sku: string, extra: Partial<PartInput> = {}) {
  return createPart(db, actor.tenantId, { sku, name: `Part ${sku}`, ...extra });
}
