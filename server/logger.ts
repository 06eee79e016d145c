import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  // Secrets never reach the log: headers that carry them are redacted.
  const options = { level, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]', 'password'] };
  return destination ? pino(options, destination) : pino(options);
}
