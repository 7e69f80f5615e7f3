// The Hono environment of nonred's app: the dependencies and the authenticated actor.
import { isAscii } from 'node:buffer';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Actor, Deps } from '../service/deps.js';
import { Problem, zodErrors } from '../problem.js';

export interface AppEnv {
  Variables: {
    deps: Deps;
    actor: Actor | undefined;
    requestId: string;
  };
}

export type App = OpenAPIHono<AppEnv>;

export function newRouter(): App {
  return new OpenAPIHono<AppEnv>({
    // zod failures on params, query or body become one problem shape (422 validation.failed)
    defaultHook: (result) => {
      if (!result.success) {
        const target = result.target;
        throw new Problem(422, 'validation.failed', `the request ${target} is invalid`, {
          errors: zodErrors(result.error.issues, `/${target === 'json' ? 'body' : target}`),
        });
      }
      return undefined;
    },
  });
}

const utf8 = new TextDecoder('utf-8');
/**
 * The request body as text, as `c.req.text()` gives it (UTF-8, a leading BOM dropped,
 * malformed bytes replaced). A batch of 1,000 declarations is about 4 MB, and the usual
 * decoder took a tenth of the main thread's intake time; compact JWS are ASCII, for which
 * the bytes are the text, so an all-ASCII body (checked natively) is read as it is.
 */
export async function bodyText(req: { arrayBuffer(): Promise<ArrayBuffer> }): Promise<string> {
  const bytes = Buffer.from(await req.arrayBuffer());
  return isAscii(bytes) ? bytes.toString('latin1') : utf8.decode(bytes);
}
