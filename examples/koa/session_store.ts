// koa-session's store for the example: sessions in a Map, dropped when they expire. A store gives
// each session an id that a login replaces (the strategy refuses a session without one); in
// production, keep sessions where every instance reads them (Redis, your database).

interface Entry {
  data: Record<string, unknown>;
  expires: number;
}

export class MemorySessionStore {
  private readonly sessions = new Map<string, Entry>();

  get(key: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.sessions.get(key);
    if (entry !== undefined && entry.expires <= Date.now()) this.sessions.delete(key);
    return Promise.resolve(entry !== undefined && entry.expires > Date.now() ? entry.data : undefined);
  }

  set(key: string, data: Record<string, unknown>, maxAge: number | 'session' | undefined): Promise<void> {
    const ttl = typeof maxAge === 'number' ? maxAge : 86_400_000;
    this.sessions.set(key, { data, expires: Date.now() + ttl });
    return Promise.resolve();
  }

  destroy(key: string): Promise<void> {
    this.sessions.delete(key);
    return Promise.resolve();
  }
}
