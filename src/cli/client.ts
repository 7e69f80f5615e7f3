// How CLI commands reach nonred: over HTTP (--server/NONRED_SERVER with --token/NONRED_TOKEN),
// or in-process on a database file (--db), where the same app answers with an admin
// identity that exists only for this invocation. Either way the server's problem detail
// comes back as one line.
import { randomBytes } from 'node:crypto';
import { CliError } from './io.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export interface Client {
  request(method: string, path: string, opts?: { body?: string | Buffer; type?: string; accept?: string }): Promise<Reply>;
  close(): void;
}

export interface ConnectOptions {
  server?: string;
  token?: string;
  db?: string;
}

function problemLine(reply: Reply): string {
  try {
    const p = JSON.parse(reply.text) as { code?: string; detail?: string; errors?: { message: string }[] };
    const first = p.errors?.[0]?.message;
    return `${reply.status} ${p.code ?? 'error'}: ${p.detail ?? ''}${first && !p.detail?.includes(first) ? ` (${first})` : ''}`;
  } catch {
    return `${reply.status}: ${reply.text.slice(0, 200)}`;
  }
}

/** The reply as JSON, or the problem detail as a CliError. */
export function expectOk<T = Record<string, unknown>>(reply: Reply): T {
  if (reply.status >= 400) throw new CliError(problemLine(reply));
  return JSON.parse(reply.text) as T;
}

export async function connect(opts: ConnectOptions): Promise<Client> {
  if (opts.db !== undefined) {
    // loaded only here: a command that talks HTTP does not pay for the whole service
    const [{ loadConfig }, { createApp }, { openDeps }] = await Promise.all([
      import('../config.js'), import('../http/app.js'), import('../service/bootstrap.js'),
    ]);
    const bootstrap = `cli-${randomBytes(24).toString('base64url')}`;
    const config = { ...loadConfig({ ...process.env, NONRED_DB: opts.db, NONRED_LOG: 'silent' }), bootstrapToken: bootstrap, demo: false };
    const deps = await openDeps(config);
    const app = createApp(deps);
    return {
      async request(method, path, o = {}) {
        const headers: Record<string, string> = { authorization: `Bearer ${bootstrap}` };
        if (o.type) headers['content-type'] = o.type;
        if (o.accept) headers.accept = o.accept;
        const res = await app.request(path, { method, headers, ...(o.body !== undefined ? { body: o.body } : {}) });
        return { status: res.status, headers: res.headers, text: await res.text() };
      },
      close: () => deps.store.close(),
    };
  }
  const server = (opts.server ?? process.env.NONRED_SERVER ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  const token = opts.token ?? process.env.NONRED_TOKEN;
  if (!token) throw new CliError('no token: pass --token or set NONRED_TOKEN (or use --db FILE on the server machine)');
  return {
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (o.type) headers['content-type'] = o.type;
      if (o.accept) headers.accept = o.accept;
      let res: Response;
      try {
        res = await fetch(`${server}${path}`, { method, headers, ...(o.body !== undefined ? { body: o.body } : {}) });
      } catch (e) {
        throw new CliError(`cannot reach ${server}: ${e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e)}`);
      }
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    close: () => {},
  };
}
