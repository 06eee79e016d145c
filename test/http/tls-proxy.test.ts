import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { generate } from 'selfsigned';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { Config } from '../../server/config';
import { createOrganisation } from '../../server/services/auth/accounts';
import { csrfOf } from './support/session';

type Running = { url: string; close(): Promise<void> };

function listen(server: http.Server, url: (port: number) => string): Promise<Running> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: url((server.address() as AddressInfo).port),
    close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
  })));
}

/**
 * What a real deployment puts in front of the app: TLS ends at the proxy, which forwards plain
 * http to the app with X-Forwarded-Proto and the client's address appended to X-Forwarded-For.
 */
function tlsProxy(pems: { private: string; cert: string }, appUrl: string): Promise<Running> {
  const target = new URL(appUrl);
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = http.request({
      host: target.hostname, port: target.port, method: req.method, path: req.url,
      headers: { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': forwardedFor },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return listen(server, (port) => `https://127.0.0.1:${port}`);
}

describe('behind a proxy that ends TLS (PUBLIC_URL=https://…)', () => {
  let t: TestDb;
  let pems: { private: string; cert: string };
  const running: Running[] = [];
  /** The app on plain http on 127.0.0.1, reached only through the https proxy. */
  async function behindProxy(overrides: Partial<Config>): Promise<string> {
    const app = await listen(http.createServer(testApp(t.db, { publicUrl: 'https://perpetua.example', signup: 'open', ...overrides })), (port) => `http://127.0.0.1:${port}`);
    const proxy = await tlsProxy(pems, app.url);
    running.push(app, proxy);
    return proxy.url;
  }
  const sessionCookie = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('perpetua.sid='));

  beforeAll(async () => {
    t = await openTestDb();
    // A throw-away certificate for 127.0.0.1 (and localhost), trusted by this test's client only.
    pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
    await createOrganisation(t.db, { organisation: 'Proxied Ltd', name: 'Ada', email: 'ada@proxied.test', password: 'correct horse battery' });
  }, 60_000);
  afterAll(async () => {
    for (const r of running) await r.close();
    await t.close();
  });

  it('with TRUST_PROXY, sets the Secure session cookie and accepts sign-up and sign-in forms over https', async () => {
    const agent = request.agent(await behindProxy({ trustProxy: 'loopback' }));
    const setup = await agent.get('/setup').ca(pems.cert).expect(200);
    expect(sessionCookie(setup)).toMatch(/; Secure/);
    expect(sessionCookie(setup)).toMatch(/; HttpOnly/);
    await agent.post('/setup').ca(pems.cert).type('form')
      .send({ organisation: 'Tls Works', name: 'Bo', email: 'bo@tls.test', password: 'correct horse battery', _csrf: csrfOf(setup.text) })
      .expect(303).expect('Location', '/stock');
    await agent.get('/stock').ca(pems.cert).expect(200);
    await agent.post('/logout').ca(pems.cert).type('form').send({ _csrf: csrfOf((await agent.get('/stock').ca(pems.cert)).text) }).expect(302);

    const login = await agent.get('/login').ca(pems.cert).expect(200);
    await agent.post('/login').ca(pems.cert).type('form')
      .send({ email: 'ada@proxied.test', password: 'correct horse battery', _csrf: csrfOf(login.text) })
      .expect(303);
    expect((await agent.get('/stock').ca(pems.cert).expect(200)).text).toContain('Ada');
  });

  it("with TRUST_PROXY, takes the client's address from the proxy's X-Forwarded-For", async () => {
    const agent = request.agent(await behindProxy({ trustProxy: 'loopback' }));
    const login = await agent.get('/login').ca(pems.cert).expect(200);
    // The client's own proxy said 203.0.113.5; ours appended the address it saw (loopback, trusted).
    await agent.post('/login').ca(pems.cert).set('X-Forwarded-For', '203.0.113.5').type('form')
      .send({ email: 'ada@proxied.test', password: 'wrong password', _csrf: csrfOf(login.text) })
      .expect(401);
    expect(await t.db('attempt_limits').where('key', 'like', 'ip:%').pluck('key')).toEqual(['ip:203.0.113.5']);
  });

  it('without TRUST_PROXY (the default), sets no cookie over the proxy, so every form post is refused as expired', async () => {
    const agent = request.agent(await behindProxy({ trustProxy: false }));
    const login = await agent.get('/login').ca(pems.cert).expect(200);
    expect(sessionCookie(login)).toBeUndefined();
    const post = await agent.post('/login').ca(pems.cert).type('form')
      .send({ email: 'ada@proxied.test', password: 'correct horse battery', _csrf: csrfOf(login.text) });
    expect(post.status).toBe(403);
    expect(post.text).toContain('The form expired');
  });
});
