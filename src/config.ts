// Environment → typed configuration, validated once at start. An invalid value stops the
// start with a message that names the variable.
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  NONRED_DB: z.string().min(1).default('./data/nonred.db'),
  NONRED_PORT: z.string().regex(/^\d+$/, 'must be a port number').transform(Number)
    .refine((p) => p >= 0 && p <= 65535, 'must be between 0 and 65535').default(8787),
  NONRED_HOST: z.string().min(1).default('127.0.0.1'),
  NONRED_BOOTSTRAP_TOKEN: z.string().min(24, 'must be at least 24 characters').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  NONRED_DEMO: z.enum(['0', '1']).default('1'),
  NONRED_SERVICE_KEY: z.string().optional(),
  NONRED_SERVICE_KEY_FILE: z.string().min(1).optional(),
  NONRED_LOG: z.enum(['silent', 'error', 'info']).default('info'),
  NONRED_VERIFY_WORKERS: z.string().regex(/^\d{1,3}$/, 'must be a number of threads (0: check on the main thread)').transform(Number).optional(),
});

export interface Config {
  dbPath: string;
  port: number;
  host: string;
  bootstrapToken: string | null;
  demo: boolean;
  serviceKey: string | undefined;
  serviceKeyFile: string | null;
  log: 'silent' | 'error' | 'info';
  /** verify worker threads for intake; null: one per core */
  verifyWorkers: number | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('NONRED_') && v !== undefined && v !== ''));
  const r = envSchema.safeParse(relevant);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = r.data;
  const dbPath = e.NONRED_DB === ':memory:' ? ':memory:' : resolve(e.NONRED_DB);
  return {
    dbPath,
    port: e.NONRED_PORT,
    host: e.NONRED_HOST,
    bootstrapToken: e.NONRED_BOOTSTRAP_TOKEN ?? null,
    demo: e.NONRED_DEMO === '1',
    serviceKey: e.NONRED_SERVICE_KEY,
    serviceKeyFile: e.NONRED_SERVICE_KEY_FILE
      ? resolve(e.NONRED_SERVICE_KEY_FILE)
      : dbPath === ':memory:' ? null : join(dirname(dbPath), 'service-key.jwk'),
    log: e.NONRED_LOG,
    verifyWorkers: e.NONRED_VERIFY_WORKERS ?? null,
  };
}
