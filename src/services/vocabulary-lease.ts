import { randomUUID } from 'node:crypto';
import type { JsonValue, Payload, VectorStore } from '../store/vector-store.js';
import { VOCABULARY } from './collections.js';

/**
 * The vocabulary import's state, kept in the vocabulary collection's own metadata (key `import`), so every
 * process sharing the store (API replicas, a `visem ingest` with another DATA_DIR) sees the same truth.
 *
 * One process imports at a time. It holds a lease: its id and a heartbeat counter it bumps after every
 * batch and every few seconds. The others wait while the heartbeat moves, and take over (resuming at the
 * recorded word count) once it has stood still for the lease's time-to-live, as when the holder crashed.
 * Staleness is judged by each waiter's own monotonic clock, so clocks on different machines need not agree.
 *
 * The store has no compare-and-set, so taking a lease is write, wait `settleMs`, read back: of processes
 * racing for it, the one whose write landed last wins. The lease only saves work; correctness does not
 * rest on it, because every batch is an idempotent upsert by word and nothing is ever dropped by a process
 * that does not hold the lease.
 */

/** What the import was made from and with: a different value means importing again. */
export interface ImportSettings {
  /** The word-vector file's fingerprint (openWordVectors). */
  fingerprint: string;
  labelsTopN: number;
  /** VOCAB_LIMIT (0: every word). */
  limit: number;
}

export interface Lease {
  owner: string;
  beat: number;
}

/** How far an import has got. */
export interface ImportState extends ImportSettings {
  /** Words written so far, in file order. */
  imported: number;
  labels: number;
}

/** The state as recorded, with the lease of the process importing (none once it stopped). */
export interface ImportRecord extends ImportState {
  lease?: Lease;
}

export interface LeaseTiming {
  /** A heartbeat unchanged this long means the holder is gone. */
  ttlMs: number;
  /** How often the holder beats between batches. */
  beatMs: number;
  /** How often a waiter looks again. */
  pollMs: number;
  /** Wait between writing a claim and reading it back. */
  settleMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  ttlMs: 30_000,
  beatMs: 5_000,
  pollMs: 1_000,
  settleMs: 1_000,
};

const KEY = 'import';

export function readImportRecord(metadata: Payload): ImportRecord | undefined {
  const v = metadata[KEY];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const r = v as Partial<ImportRecord>;
  if (typeof r.fingerprint !== 'string' || typeof r.imported !== 'number') return undefined;
  return r as ImportRecord;
}

export function importMetadata(record: ImportRecord): Payload {
  return { [KEY]: record as unknown as JsonValue };
}

export function sameSettings(a: ImportSettings | undefined, b: ImportSettings): boolean {
  return (
    a !== undefined && a.fingerprint === b.fingerprint && a.labelsTopN === b.labelsTopN && a.limit === b.limit
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function currentRecord(store: VectorStore): Promise<{ record?: ImportRecord; metadata: Payload }> {
  const info = await store.collectionInfo(VOCABULARY);
  const metadata = info?.metadata ?? {};
  const record = readImportRecord(metadata);
  return record ? { record, metadata } : { metadata };
}

/** Watches another process's lease; says when its heartbeat has stood still for the time-to-live. */
class LeaseWatch {
  private seen = '';
  private since = performance.now();

  constructor(private readonly ttlMs: number) {}

  stale(lease: Lease | undefined): boolean {
    if (!lease) return true;
    const key = `${lease.owner}:${lease.beat}`;
    if (key !== this.seen) {
      this.seen = key;
      this.since = performance.now();
      return false;
    }
    return performance.now() - this.since >= this.ttlMs;
  }
}

export type WaitOutcome =
  /** Another process finished: the collection records the identity. */
  | { kind: 'complete' }
  /** This process holds the lease; `record` is the state to continue from (if any). */
  | { kind: 'acquired'; lease: HeldLease; record?: ImportRecord };

/**
 * Waits until the vocabulary is complete (by whoever imports it) or this process holds the import lease.
 * `isComplete` reads the collection's metadata (the identity check lives with the caller).
 */
export async function acquireOrWait(
  store: VectorStore,
  timing: LeaseTiming,
  isComplete: (metadata: Payload) => boolean,
  onWait: (record: ImportRecord) => void,
): Promise<WaitOutcome> {
  const owner = randomUUID();
  const watch = new LeaseWatch(timing.ttlMs);
  for (;;) {
    const { record, metadata } = await currentRecord(store);
    if (isComplete(metadata)) return { kind: 'complete' };
    // A lease seen for the first time is given its full time-to-live before it counts as stale.
    if (!record?.lease || watch.stale(record.lease)) {
      const claim: Lease = { owner, beat: 0 };
      await store.updateCollectionMetadata(
        VOCABULARY,
        importMetadata({ ...(record ?? emptyRecord()), lease: claim }),
      );
      await sleep(timing.settleMs);
      const after = await currentRecord(store);
      if (after.record?.lease?.owner === owner) {
        const lease = new HeldLease(store, owner, after.record, timing);
        return { kind: 'acquired', lease, ...(isRealRecord(after.record) ? { record: after.record } : {}) };
      }
    } else if (record) {
      onWait(record);
    }
    await sleep(timing.pollMs);
  }
}

/** A placeholder record for a claim on a collection that records no import yet. */
function emptyRecord(): ImportRecord {
  return { fingerprint: '', labelsTopN: 0, limit: 0, imported: 0, labels: 0 };
}

function isRealRecord(r: ImportRecord): boolean {
  return r.fingerprint !== '';
}

/**
 * The lease this process holds: every write of the import state goes through `save`, which also beats;
 * a timer beats between batches. Writes are serialised, so a beat never overtakes newer progress. A beat
 * that fails (the store briefly away, the collection being recreated) is only logged by its absence: the
 * next save reports a store that stays away.
 */
export class HeldLease {
  private beat = 0;
  private state: ImportState;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: VectorStore,
    readonly owner: string,
    initial: ImportRecord,
    timing: LeaseTiming,
  ) {
    const { lease: _lease, ...state } = initial;
    this.state = state;
    this.timer = setInterval(() => void this.write().catch(() => undefined), timing.beatMs);
    this.timer.unref();
  }

  /** The claim as it goes into collection metadata written by the holder (e.g. when recreating it). */
  metadata(state: ImportState): Payload {
    this.state = state;
    return importMetadata({ ...state, lease: { owner: this.owner, beat: ++this.beat } });
  }

  /** Records `state` with a fresh beat. */
  async save(state: ImportState): Promise<void> {
    this.state = state;
    await this.write();
  }

  private write(extra: Payload = {}, withLease = true): Promise<void> {
    const next = this.chain.then(async () => {
      this.beat++;
      const record: ImportRecord = withLease
        ? { ...this.state, lease: { owner: this.owner, beat: this.beat } }
        : { ...this.state };
      await this.store.updateCollectionMetadata(VOCABULARY, { ...extra, ...importMetadata(record) });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Stops beating and records the final state without a lease, together with `extra` (the collection's
   * identity once complete) in one metadata write, so nobody sees the lease gone before the identity.
   */
  async release(final: ImportState, extra: Payload = {}): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.state = final;
    await this.write(extra, false);
  }

  /** Stops beating without a final write (the store failed; the lease expires on its own). */
  abandon(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
