// Start-up: open the store (migrations applied), load the service key, install the policy
// presets, and hand back the dependencies an app is built from.
import type { Config } from '../config.js';
import { loadServiceKeys } from '../crypto/service-key.js';
import { appendAudit, inTransaction } from '../db/audit.js';
import { openStore } from '../db/open.js';
import { ensurePresets } from '../db/policies.js';
import { rebuildBomParts } from '../db/boms.js';
import { indexUnindexedReports } from '../db/reports.js';
import { inlineChecker, type LineChecker } from './verify-pool.js';
import { consoleLogger, randomIds, type Clock, type Deps, type IdGenerator, type Logger } from './deps.js';

export async function openDeps(config: Config, opts: { clock?: Clock; ids?: IdGenerator; log?: Logger; checker?: LineChecker; backgroundCheckpoints?: boolean; evidenceThread?: boolean; signingThread?: boolean } = {}): Promise<Deps> {
  const clock = opts.clock ?? (() => new Date());
  const log = opts.log ?? consoleLogger(config.log);
  const store = openStore(config.dbPath, { backgroundCheckpoints: opts.backgroundCheckpoints ?? false, evidenceThread: opts.evidenceThread ?? false, onError: (message) => log.error(message) });
  const keys = await loadServiceKeys({ file: config.serviceKeyFile, envValue: config.serviceKey, signingThread: opts.signingThread ?? false });
  const now = clock().toISOString();
  inTransaction(store.sqlite, () => {
    rebuildBomParts(store.sqlite);
    indexUnindexedReports(store.sqlite);
    for (const p of ensurePresets(store.sqlite, now)) {
      appendAudit(store.sqlite, { at: now, actor: 'system', action: 'policy.written', subject: `${p.id}@${p.version}`, payload: p });
    }
  });
  return { store, keys, clock, ids: opts.ids ?? randomIds(clock), config, log, checker: opts.checker ?? inlineChecker };
}
