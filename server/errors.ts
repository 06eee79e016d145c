// Typed errors: services throw these; only http/error-handler.ts turns them into responses.
export type FieldProblem = { field: string; message: string };

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string, field?: string) {
    super('not_found', 404, `${what} ${id} was not found`, field ? [{ field, message: `${what} ${id} was not found` }] : []);
  }
}

export class Invalid extends DomainError {
  constructor(fields: FieldProblem[], message = fields.map((f) => `${f.field}: ${f.message}`).join('; ')) {
    super('invalid', 422, message, fields);
  }
  static field(field: string, message: string): Invalid {
    return new Invalid([{ field, message }]);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, field?: string) {
    super('conflict', 409, message, field ? [{ field, message }] : []);
  }
}

export class InsufficientStock extends DomainError {
  constructor(readonly detail: { part: string; location: string; onHand: string; requested: string; shortBy: string; lot?: string }, field = 'quantity') {
    const lot = detail.lot ? ` (lot ${detail.lot})` : '';
    const msg = `Not enough ${detail.part}${lot} at ${detail.location}: on hand ${detail.onHand}, requested ${detail.requested}, short by ${detail.shortBy}`;
    super('insufficient_stock', 422, msg, [{ field, message: msg }]);
  }
}

export class PeriodClosed extends DomainError {
  constructor(date: string, lockDate: string) {
    const msg = `Date ${date} is inside the locked period (lock date ${lockDate}); use a date after ${lockDate}`;
    super('period_closed', 422, msg, [{ field: 'occurred_on', message: msg }]);
  }
}

export class Unauthorised extends DomainError {
  constructor(message = 'Sign in to continue') {
    super('unauthorised', 401, message);
  }
}

export class Forbidden extends DomainError {
  constructor(message = 'Your role does not allow this') {
    super('forbidden', 403, message);
  }
}

/** Too many attempts: the caller is told (in words and in Retry-After) how long to wait. */
export class TooManyRequests extends DomainError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super('too_many_requests', 429, message);
  }
}

/** The database is down or unreachable; the request changed nothing and can be sent again shortly. */
export class DatabaseUnavailable extends DomainError {
  constructor(message = 'The database is not reachable just now; nothing was changed. Try again in a few seconds') {
    super('database_unavailable', 503, message);
  }
}

/**
 * The connection was lost while the change was being committed: it may or may not have been
 * saved. Sending it again with the same Idempotency-Key (a form resubmitted carries its own) is
 * safe: it is recorded once either way. Both answer 503 with Retry-After (http/error-handler.ts).
 */
export class OutcomeUnknown extends DomainError {
  constructor() {
    super('outcome_unknown', 503, 'The connection to the database was lost while saving, so it may have been saved. Sending it again with the same Idempotency-Key (or submitting the same form again) is safe: it is recorded once either way');
  }
}

export class ConnectorError extends DomainError {
  constructor(message: string, readonly retryable: boolean) {
    super('connector_error', 502, message);
  }
}

/** Receiving beyond the over-receipt tolerance: an admin must approve on the spot. */
export class OverTolerance extends DomainError {
  constructor(message: string) {
    super('over_tolerance', 422, message, [{ field: 'quantity', message }]);
  }
}
