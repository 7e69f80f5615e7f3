// What every operation is handed: the store, the service key, the clock, the id generator
// and the configuration. Tests build their own; nothing is a module-level singleton.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { ServiceKeys } from '../crypto/service-key.js';
import type { Store } from '../db/open.js';
import type { Role } from '../db/tokens.js';
import type { LineChecker } from './verify-pool.js';

export type Clock = () => Date;
export type IdGenerator = (prefix: string) => string;

export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

export interface Deps {
  store: Store;
  keys: ServiceKeys;
  clock: Clock;
  ids: IdGenerator;
  config: Config;
  log: Logger;
  /** where intake's per-line checks run: inline, or a pool of worker threads */
  checker: LineChecker;
}

export interface Actor {
  tokenId: string;
  role: Role;
  supplier: string | null;
}

export function actorName(a: Actor): string {
  return `${a.role}:${a.tokenId}`;
}

const B32 = '0123456789abcdefghjkmnpqrstvwxyz';

/** Time-ordered random ids ("rpt_0mh2k3x9a7f3q8z1c4"): sortable by creation, unguessable. */
export function randomIds(clock: Clock): IdGenerator {
  return (prefix) => {
    let t = clock().getTime();
    let time = '';
    for (let i = 0; i < 9; i++) {
      time = B32[t % 32]! + time;
      t = Math.floor(t / 32);
    }
    const rnd = [...randomBytes(10)].map((b) => B32[b % 32]).join('');
    return `${prefix}_${time}${rnd}`;
  };
}

/** Deterministic ids for tests: prefix_000001, prefix_000002, … */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(6, '0')}`;
}

export function consoleLogger(level: 'silent' | 'error' | 'info'): Logger {
  return {
    info: (msg, extra) => {
      if (level === 'info') console.log(JSON.stringify({ level: 'info', msg, ...extra }));
    },
    error: (msg, extra) => {
      if (level !== 'silent') console.error(JSON.stringify({ level: 'error', msg, ...extra }));
    },
  };
}
