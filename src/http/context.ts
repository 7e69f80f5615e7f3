// The Hono environment of nonred's app: the dependencies and the authenticated actor.
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
