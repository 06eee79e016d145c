import express, { Router } from 'express';

/**
 * Mounted before any JSON parser: signatures are computed over the raw bytes. The Xero and
 * QuickBooks handlers (verify, store in the inbox, acknowledge) arrive with their connectors.
 */
export function webhooksRouter(): Router {
  const r = Router();
  r.use(express.raw({ type: '*/*', limit: '1mb' }));
  return r;
}
