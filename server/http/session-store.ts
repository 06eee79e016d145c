import session from 'express-session';
import { Db } from '../db';

/** Sessions in the database so any web process can serve any request. */
export class KnexSessionStore extends session.Store {
  constructor(private readonly db: Db) {
    super();
  }

  get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    this.db('sessions').where({ sid }).where('expires_at', '>', this.db.fn.now()).first('sess')
      .then((row) => cb(null, row ? row.sess : null), cb);
  }

  set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + 86_400_000);
    this.db('sessions').insert({ sid, sess: JSON.stringify(sess), expires_at: expires }).onConflict('sid').merge()
      .then(() => cb?.(), (e) => cb?.(e));
  }

  destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db('sessions').where({ sid }).delete().then(() => cb?.(), (e) => cb?.(e));
  }

  touch(sid: string, sess: session.SessionData, cb?: () => void): void {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + 86_400_000);
    this.db('sessions').where({ sid }).update({ expires_at: expires }).then(() => cb?.(), () => cb?.());
  }
}
