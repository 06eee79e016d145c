import request from 'supertest';
import { Express } from 'express';
import { Db } from '../../../server/db';
import { Actor } from '../../../server/services/stock/types';

export type Agent = ReturnType<typeof request.agent>;

/** The CSRF token a page carries in its forms' hidden _csrf input. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf input on the page');
  return m[1];
}

/** A browser-like agent signed in through the login form. */
export async function signIn(app: Express, email: string, password: string): Promise<Agent> {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ email, password, _csrf: csrfOf(page.text) }).expect(303);
  return agent;
}

/** The first-run page's sign-up: an organisation and its admin, signed in, and the admin as an actor for services. */
export async function signUp(app: Express, db: Db, who: { organisation: string; name: string; email: string; password?: string }): Promise<{ agent: Agent; actor: Actor }> {
  const agent = request.agent(app);
  const setup = await agent.get('/setup').expect(200);
  await agent.post('/setup').type('form')
    .send({ organisation: who.organisation, name: who.name, email: who.email, password: who.password ?? 'correct horse battery', _csrf: csrfOf(setup.text) })
    .expect(303);
  const user = await db('users').where({ email: who.email }).first('tenant_id', 'id');
  return { agent, actor: { tenantId: user.tenant_id, userId: user.id, role: 'admin' } };
}
