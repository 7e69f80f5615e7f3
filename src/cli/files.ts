// Reading the inputs of offline commands: folders of declarations and keys, a registry
// export, a BOM file, a policy.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registryDocumentSchema, type RegistryDocument } from '../service/audit-bundle.js';
import { keyFromJwk, keysFromRegistry, type OfflineKey } from '../service/offline.js';
import { materializePolicy, parsePolicyRef, policyInputSchema, PRESETS, type Policy } from '../domain/policy.js';
import { Problem } from '../problem.js';
import { CliError } from './io.js';
import { readJsonFile } from './commands/sign.js';

function listFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new CliError(`cannot read ${dir}`);
  }
  if (!st.isDirectory()) return [dir];
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else out.push(p);
    }
  }
  return out.sort();
}

/** Every JWS in a folder: files of one JWS (.jws, .jwt, .txt) and NDJSON files, one per line. */
export function readDeclarationFiles(dir: string): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const f of listFiles(dir)) {
    if (!/\.(jws|jwt|txt|ndjson|jsonl)$/i.test(f)) continue;
    const lines = readFileSync(f, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length === 1) out.push({ label: f, text: lines[0]! });
    else lines.forEach((l, i) => out.push({ label: `${f}:${i + 1}`, text: l }));
  }
  return out;
}

export async function readKeyFolder(dir: string): Promise<OfflineKey[]> {
  const keys: OfflineKey[] = [];
  for (const f of listFiles(dir)) {
    if (!/\.(jwk|json)$/i.test(f) || /\.private\.jwk$/i.test(f)) continue;
    const v = readJsonFile(f) as { keys?: Record<string, unknown>[] } & Record<string, unknown>;
    for (const jwk of Array.isArray(v.keys) ? v.keys : [v]) {
      try {
        keys.push(await keyFromJwk(jwk));
      } catch (e) {
        throw new CliError(`${f}: ${e instanceof Problem ? e.message : 'not a public JWK'}`);
      }
    }
  }
  if (keys.length === 0) throw new CliError(`no public keys (*.jwk, *.json) in ${dir}`);
  return keys;
}

export function readRegistry(file: string): { doc: RegistryDocument; keys: OfflineKey[] } {
  const r = registryDocumentSchema.safeParse(readJsonFile(file));
  if (!r.success) throw new CliError(`${file} is not a registry export (GET /v1/registry): ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  return { doc: r.data, keys: keysFromRegistry(r.data) };
}

/** A shipped preset by id, or a policy file (the body of PUT /v1/policies/{id}). */
export function readPolicy(ref: string): Policy {
  if (/\.json$/i.test(ref)) {
    const r = policyInputSchema.safeParse(readJsonFile(ref));
    if (!r.success) throw new CliError(`${ref} is not a policy: ${r.error.issues[0]?.path.join('/')} ${r.error.issues[0]?.message}`);
    return materializePolicy(ref.replace(/^.*\//, '').replace(/\.json$/i, '').toLowerCase().replace(/[^a-z0-9-]/g, '-'), 1, r.data);
  }
  const p = parsePolicyRef(ref);
  const preset = p && PRESETS.find((x) => x.id === p.id && (p.version === null || p.version === x.version));
  if (!preset) throw new CliError(`unknown policy ${ref}: offline, use a preset (${PRESETS.map((x) => x.id).join(', ')}) or a policy .json file`);
  return structuredClone(preset);
}
