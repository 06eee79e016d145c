import { Writable } from 'node:stream';
import { localPath } from '../../../server/routes/pages/auth';
import { createLogger } from '../../../server/logger';

describe('where sign-in may send the user next', () => {
  it.each([
    ['/stock', '/stock'],
    ['/parts/AB%2F1?tab=layers', '/parts/AB%2F1?tab=layers'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/stock\r\nSet-Cookie: x=1', '/'],
    ['', '/'],
    [undefined, '/'],
  ])('%j goes to %j', (next, expected) => {
    expect(localPath(next as string | undefined)).toBe(expected);
  });
});

describe('the log', () => {
  it('never holds a session cookie, an API key or a password', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger('info', sink);
    log.info({ req: { headers: { authorization: 'Bearer pk_secret', cookie: 'perpetua.sid=s%3Aabc' } }, res: { headers: { 'set-cookie': 'perpetua.sid=s%3Axyz' } }, password: 'hunter22' });
    const text = lines.join('');
    expect(text).not.toMatch(/pk_secret|s%3Aabc|s%3Axyz|hunter22/);
    expect(text.match(/\[Redacted\]/g)).toHaveLength(4);
  });
});
