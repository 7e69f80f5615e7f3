// Verification as a service operation: load the BOM, the policy, the registry and the
// evidence, run the walk, and store the signed report with its audit entry (SPEC §6, §7).
import { appendAudit, auditHead, inTransaction } from '../db/audit.js';
import { getBom, getBomContent, type BomRow } from '../db/boms.js';
import { dbEvidence } from '../db/declarations.js';
import { getPolicy, type PolicyRow } from '../db/policies.js';
import { registrySnapshot } from '../db/registry.js';
import { insertReport, insertReportBody, queueReportParts, setReportJws, startReportParts } from '../db/reports.js';
import { JsonWriter } from '../domain/json-writer.js';
import { writeReportBody, type ReportBody } from '../domain/report.js';
import { DEFAULT_POLICY_ID, parsePolicyRef } from '../domain/policy.js';
import type { Bom } from '../domain/bom.js';
import { walk, type WalkPart, type WalkResult } from '../domain/walk.js';
import { Problem } from '../problem.js';
import { ScratchBuffer } from '../scratch-buffer.js';
import { boundHeapGrowth } from '../heap-growth.js';
import { actorName, type Actor, type Deps } from './deps.js';

export const REPORT_TYP = 'nonred-report+jws';

export function resolvePolicy(deps: Deps, ref: string | undefined): PolicyRow {
  const parsed = parsePolicyRef(ref ?? DEFAULT_POLICY_ID);
  if (!parsed) throw new Problem(422, 'validation.failed', `"${ref}" is not a policy reference (use an id such as non-red, or id@version)`, { errors: [{ path: '/query/policy', message: 'invalid policy reference' }] });
  const row = getPolicy(deps.store.sqlite, parsed.id, parsed.version);
  if (!row) throw new Problem(422, 'validation.failed', `policy ${ref} does not exist`, { errors: [{ path: '/query/policy', message: 'unknown policy' }] });
  return row;
}

// The report body is written into one buffer kept between reports (see ScratchBuffer): at
// 100,000 nodes it is about 70 MB, and fresh memory of that size is the costliest part.
// It is shared memory, so that the signing thread reads it where it is.
const bodyScratch = new ScratchBuffer({ shared: true });
/** how much more of the body is written each time the signing thread is told */
const STREAM_PIECE = 1024 * 1024;
// generous: the buffer is only touched as far as it is written
const estimatedBytes = (nodes: number, findings: number) => 64 * 1024 + nodes * 1024 + findings * 2048;

export interface IssuedReport {
  id: string;
  verdict: ReportBody['verdict'];
  summary: ReportBody['summary'];
  /**
   * The report's JSON form (the signed body with `status` appended), lent until done():
   * read it, send it, then call done() once, which takes the bytes back.
   */
  json: Uint8Array;
  /** Gives the buffer back and starts the deferred work (the where-used rows). */
  done(): void;
  /** How long each step took, in ms, for the answer's Server-Timing header (not part of the report). */
  timings: ReportTimings;
}

/** The steps of issuing a report, timed (see serverTiming). */
export interface ReportTimings {
  /** the graph walk: evidence read, paths, verdict */
  walk: number;
  /** the report body written */
  body: number;
  /** the where-used rows computed (written after the answer), while the body is signed */
  parts: number;
  /** the rest of the write transaction: body stored while it is signed, audit entry, commit */
  store: number;
}

/** The Server-Timing header value (W3C Server Timing) for the steps of a report. */
export function serverTiming(t: ReportTimings): string {
  return (Object.keys(t) as (keyof ReportTimings)[]).map((k) => `${k};dur=${t[k].toFixed(1)}`).join(', ');
}

export async function issueReport(deps: Deps, bomId: string, policyRef: string | undefined, actor: Actor): Promise<IssuedReport> {
  const db = deps.store.sqlite;
  const bomRow = getBom(db, bomId);
  const content = bomRow ? getBomContent(db, bomId) : undefined;
  if (!bomRow || !content) throw new Problem(404, 'not_found', `no BOM ${bomId}`);
  const policyRow = resolvePolicy(deps, policyRef);
  // until the answer has gone out (done), or this fails
  const unbound = boundHeapGrowth();
  try {
    return issueBounded(deps, bomRow, content.bom, policyRow, actor, unbound);
  } catch (e) {
    unbound();
    throw e;
  }
}

function issueBounded(deps: Deps, bomRow: BomRow, bom: Bom, policyRow: PolicyRow, actor: Actor, unbound: () => void): IssuedReport {
  const db = deps.store.sqlite;
  const now = deps.clock().toISOString();
  const id = deps.ids('rpt');
  // (durations for the Server-Timing header only: the report's own times come from deps.clock)
  const t0 = performance.now();
  let t1 = t0;
  let t2 = t0;
  let result: WalkResult | null = null;
  const { w, verdict, summary, stream } = (() => {
    const walked = walk({
      bom, policy: policyRow.policy, now, registry: registrySnapshot(db), evidence: dbEvidence(db, undefined, deps.store.evidenceReader),
    });
    result = walked;
    t1 = performance.now();
    // Everything but `log`, which is the last member. The signing thread begins the
    // signature as the body is written (see DetachedStream), a piece at a time; should
    // the body outgrow its buffer, it is signed from the start once written.
    const buffer = bodyScratch.take(estimatedBytes(walked.summary.nodes, walked.summary.findings));
    const writer = new JsonWriter(buffer, (n) => bodyScratch.allocate(n));
    const signing = deps.keys.streamDetached(REPORT_TYP, buffer);
    writer.watch(STREAM_PIECE, (length, into) => {
      if (into === buffer) signing.advance(length);
      else signing.abandon();
    });
    try {
      writeReportBody(writer, {
        id, generatedAt: now, bom: { id: bomRow.id, name: bomRow.name, sha256: bomRow.sha256 },
        policy: policyRow.policy, policySha256: policyRow.sha256, result: walked,
      });
    } catch (e) {
      signing.abandon();
      throw e;
    }
    t2 = performance.now();
    return { w: writer, verdict: walked.verdict, summary: walked.summary, stream: signing };
  })();
  const t3 = performance.now();
  let parts: WalkPart[] = [];
  let partsMs = 0;

  // no checkpoint copies this report into the database file until its answer has gone out
  const releaseCheckpoints = deps.store.checkpointer?.hold() ?? (() => {});
  try {
    // One write transaction: nobody else appends to the audit log meanwhile, so the
    // report's `log` — the checkpoint just before its own entry — is read here, and the
    // signature begun while the body was written is finished while its pieces are stored.
    inTransaction(db, () => {
      const head = auditHead(db);
      w.raw(`,"log":${JSON.stringify({ size: head.size, head: head.head })}}`);
      const body = w.bytes();
      insertReport(db, {
        id, bomId: bomRow.id, policyId: policyRow.policy.id, policyVersion: policyRow.policy.version,
        verdict, generatedAt: now, stale: false, createdAt: now,
      });
      // While the signing thread signs (the longest step here), this thread stores the
      // body and computes the where-used rows (written after the answer); then the walk's
      // result can be collected before answering.
      const sig = stream.finishWhile(body, () => {
        insertReportBody(db, id, body);
        const p0 = performance.now();
        parts = result!.parts();
        result = null;
        partsMs = performance.now() - p0;
      });
      // Stored detached (RFC 7515 appendix F): the payload is the body stored beside it.
      setReportJws(db, id, `${sig.protected}..${sig.signature}`);
      appendAudit(db, {
        at: now, actor: actorName(actor), action: 'report.issued', subject: id,
        // the signature identifies the signed body as well as its hash would, without hashing it again
        payload: { id, bom: bomRow.id, policy: `${policyRow.policy.id}@${policyRow.policy.version}`, verdict, signature: sig.signature },
      });
    });
  } catch (e) {
    stream.abandon();
    releaseCheckpoints();
    bodyScratch.give(w.buffer);
    throw e;
  }
  w.watch(0, null);
  // (the where-used rows are computed inside the write transaction: `store` is the rest of it)
  const timings: ReportTimings = { walk: t1 - t0, body: t2 - t1, parts: partsMs, store: performance.now() - t3 - partsMs };
  queueReportParts(db, id, parts, (e) => deps.log.error('where-used rows of a report not written; they will be at the next start', { report: id, error: e instanceof Error ? e.message : String(e) }));
  // the JSON form: the signed body with its unsigned status beside it
  w.truncate(w.length - 1).raw(`,"status":${JSON.stringify({ stale: false })}}`);
  let lent = true;
  return {
    id, verdict, summary, json: w.bytes(), timings,
    done: () => {
      if (!lent) return;
      lent = false;
      bodyScratch.give(w.buffer);
      unbound();
      releaseCheckpoints();
      startReportParts(db);
    },
  };
}

/** The compact JWS of a stored report: the detached form with its body put back. */
export function attachPayload(detached: string, bodyText: string): string {
  const [h, , sig] = detached.split('.') as [string, string, string];
  return `${h}.${Buffer.from(bodyText, 'utf8').toString('base64url')}.${sig}`;
}
