import { Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { DomainError } from '../../errors';

/**
 * An admin's password typed into a receipt (on an operator's tablet, or through the API) is a
 * password check: guessing is slowed as sign-in's is. Only requests carrying an approval count.
 */
export function approvalAttempts(carriesApproval: (req: Request) => boolean) {
  return rateLimit({
    windowMs: 10 * 60_000,
    limit: 20,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req) => !carriesApproval(req),
    handler: (_req, _res, next) => next(new DomainError('too_many_requests', 429, 'Too many over-receipt approval attempts from here; wait a few minutes and try again')),
  });
}
