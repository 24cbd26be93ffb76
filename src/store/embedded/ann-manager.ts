import fs from 'node:fs';
import {
  AnnIndex,
  buildAnnFile,
  pickAnnFile,
  type AnnFile,
  type AnnParams,
  type BuildJob,
  type BuildInput,
  type GraphBuild,
  sameBuild,
} from './ann-index.js';
import type { Predicate } from './filter.js';
import { TopK, type Hit, type MemoryCollection } from './memory-collection.js';

/**
 * The ANN side of one collection: an index per named vector (maybe none yet), the "tail" of slots newer
 * than each index (searched exactly), and background rebuilds when the tail or the deleted share grows.
 */

export interface AnnContext {
  dir: string;
  cid: number;
  params: AnnParams;
  minPoints: number;
  buildThreads: number;
  /** Quiet time after the last write before a due build starts (0: at once), so a bulk import builds once. */
  buildDelayMs: number;
  /** False: never start builds on writes or open, only through settle() (explicit buildIndexes). */
  backgroundBuilds: boolean;
  /**
   * A named vector whose index covers more f32 bytes than this keeps only the rows newer than the index
   * in memory (MemoryCollection.offload); its builds read the vectors from SQLite instead of memory.
   */
  residentBytes: number;
  /** Where a build of an offloaded vector reads its rows. */
  storedRows: (v: number) => BuildInput;
  /** The collection's rowid sequence now (SQLite). */
  sequence: () => number;
  /** Highest rowid the in-memory mirror holds: every row up to it is in memory or deleted. */
  knownMaxRid: () => number;
  /** False once the store closed or the collection was dropped: finished builds are then discarded. */
  live: () => boolean;
  onError: (e: unknown) => void;
}

export interface AnnStats {
  vector: string;
  indexed: number;
  /** Points newer than the index, searched exactly until the next rebuild. */
  tail: number;
  building: boolean;
  /** Vectors held in memory: all points, or only the tail once the vector is offloaded. */
  inMemory: number;
}

/** Rebuild when the unindexed tail or the deleted share of the index grows past these. */
const TAIL_REBUILD_MIN = 2_000;
const TAIL_REBUILD_SHARE = 0.1;
const TOMBSTONE_REBUILD_SHARE = 0.25;
/**
 * Node 20 truncates an ArrayBuffer over 4 GiB transferred to a worker (to its size mod 2^32): a million
 * 1280-d f32 vectors (5.1 GB) arrived as 206M floats and the build failed. Larger builds read SQLite.
 */
const MAX_SNAPSHOT_BYTES = 2 ** 31;
/** After a failed build, wait this long before trying again, so a persistent failure cannot spin. */
const BUILD_RETRY_MS = 60_000;

/** Covers more rows, or the same rows built as configured (replacing one built otherwise). */
function isNewer(file: AnnFile, current: AnnIndex, preferred: GraphBuild): boolean {
  if (file.maxRid !== current.maxRid) return file.maxRid > current.maxRid;
  return sameBuild(file.build, preferred) && !sameBuild(current.build, preferred);
}

export class CollectionAnn {
  private readonly ann: (AnnIndex | undefined)[];
  private readonly tails: Set<number>[];
  private readonly builds: (BuildJob | undefined)[];
  private failedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mem: MemoryCollection,
    private readonly ctx: AnnContext,
  ) {
    this.ann = mem.dims.map(() => undefined);
    this.tails = mem.dims.map(() => new Set<number>());
    this.builds = mem.dims.map(() => undefined);
  }

  /**
   * Before a full load of the rows (up to rowid `maxRid`): offloads each vector whose saved index is large
   * enough, and returns per vector the rowid up to which its stored vectors need not be read (0: all).
   */
  planLoad(maxRid: number): number[] {
    const { dir, cid, params } = this.ctx;
    return this.mem.dims.map((_, v) => {
      const file = pickAnnFile(dir, cid, v, maxRid, this.ctx.sequence, params);
      if (!file || this.f32Bytes(v, file.size) <= this.ctx.residentBytes) return 0;
      this.mem.offload(v, file.maxRid);
      return file.maxRid;
    });
  }

  /** Reloads saved index files that are still valid for the data in SQLite; the rest get rebuilt. */
  loadSaved(): void {
    this.mem.dims.forEach((_, v) => {
      try {
        this.adoptNewest(v);
      } catch (e) {
        this.ctx.onError(e); // the index is a cache: searches stay exact until a rebuild
      }
    });
    this.maybeBuild();
  }

  /**
   * Installs the newest index file this mirror can use, if newer than the one it has. Another process
   * sharing the directory deletes files older than its own newest at any moment, possibly the one just
   * picked (even one this process just built): a vanished file means a newer one exists, so look again.
   */
  private adoptNewest(v: number): void {
    const { dir, cid, params } = this.ctx;
    for (let attempt = 0; ; attempt++) {
      const file = pickAnnFile(dir, cid, v, this.ctx.knownMaxRid(), this.ctx.sequence, params);
      const current = this.ann[v];
      if (!file || (current && !isNewer(file, current, params))) return;
      let ann: AnnIndex;
      try {
        ann = AnnIndex.open(file, this.mem.dims[v]!, params);
      } catch (e) {
        if (!fs.existsSync(file.file) && attempt < 3) continue;
        fs.rmSync(file.file, { force: true }); // corrupt or truncated: rebuilt later
        throw e;
      }
      this.install(v, ann);
      return;
    }
  }

  /** Call after a point left `slot` (deleted, or replaced before the slot is reused). */
  removed(slot: number): void {
    for (const t of this.tails) t.delete(slot);
  }

  /** Call after a new row went into `slot`: it joins the exact-scan tail of every older index. */
  added(slot: number): void {
    const rid = this.mem.rids[slot]!;
    this.ann.forEach((a, v) => a && rid > a.maxRid && this.tails[v]!.add(slot));
  }

  ready(v: number): boolean {
    return this.ann[v] !== undefined && this.mem.count >= this.ctx.minPoints;
  }

  /**
   * ANN candidates, re-scored exactly and post-filtered, merged with an exact scan of the tail.
   * With a filter, `subset` holds the matching slots: the over-fetch grows with the filter's
   * selectivity, and when that still comes up short (a threshold, stale candidates) the fallback scans
   * only the subset. Callers scan a small subset exactly instead of calling this.
   */
  search(
    v: number,
    query: Float32Array,
    needed: number,
    pred?: Predicate,
    threshold?: number,
    subset?: ReadonlySet<number>,
  ): Hit[] {
    const ann = this.ann[v];
    // A subset (filteredSlots) already passes the predicate.
    const exact = () => this.mem.exactTopK(v, query, needed, subset ? undefined : pred, threshold, subset);
    if (!ann) return exact();
    const mem = this.mem;
    const tail = this.tails[v]!;
    const indexedLive = Math.max(1, mem.count - tail.size);
    const share = subset ? Math.max(subset.size, 1) / Math.max(mem.count, 1) : 1;
    const fetch = Math.min(
      ann.size,
      Math.ceil((((pred ? 2 : 1) * needed + 32) / share) * (ann.size / indexedLive)),
    );
    const rids = ann.search(query, fetch);
    const slots: number[] = [];
    for (const rid of rids) {
      const slot = mem.ridToSlot.get(rid);
      if (slot !== undefined) slots.push(slot); // else deleted or replaced since the index was built
    }
    const scores = mem.scores(v, query, slots);
    const top = new TopK(needed);
    const min = threshold ?? -Infinity;
    let last = Infinity;
    slots.forEach((slot, i) => {
      const score = scores[i]!;
      if (Number.isNaN(score)) return; // an offloaded row another process deleted meanwhile
      last = score;
      if (score < min || (pred && !pred(mem.payloads[slot]!))) return;
      top.offer({ slot, id: mem.ids[slot]!, score });
    });
    for (const h of mem.exactTopK(v, query, needed, pred, threshold, tail)) top.offer(h);
    const hits = top.sorted();
    const moreInIndex = rids.length === fetch && fetch < ann.size && last >= min;
    return hits.length < needed && moreInIndex ? exact() : hits;
  }

  /** Schedules due builds after the configured quiet time; each call (a write) restarts the wait. */
  maybeBuild(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.ctx.backgroundBuilds) return;
    if (this.ctx.buildDelayMs <= 0) return this.startDue();
    this.timer = setTimeout(() => this.startDue(), this.ctx.buildDelayMs);
    this.timer.unref();
  }

  /** Runs from timers: a failure (e.g. SQLite unavailable) is reported, never thrown. */
  private startDue(force = false): void {
    try {
      this.startDueUnsafe(force);
    } catch (e) {
      this.failed(e);
    }
  }

  private startDueUnsafe(force: boolean): void {
    this.timer = undefined;
    const n = this.mem.count;
    if (!this.ctx.live() || n < this.ctx.minPoints) return;
    if (!force && Date.now() - this.failedAt < BUILD_RETRY_MS) return;
    this.mem.dims.forEach((_, v) => {
      const ann = this.ann[v];
      if (this.builds[v]) return;
      if (ann && sameBuild(ann.build, this.ctx.params)) {
        const tail = this.tails[v]!.size;
        const tombstones = ann.size - (n - tail);
        if (
          tail <= Math.max(TAIL_REBUILD_MIN, TAIL_REBUILD_SHARE * n) &&
          tombstones <= TOMBSTONE_REBUILD_SHARE * ann.size
        )
          return;
      }
      this.startBuild(v);
    });
  }

  /** Starts due builds, even within the wait after a failure (an explicit request), and waits for them. */
  async settle(): Promise<void> {
    clearTimeout(this.timer);
    this.startDue(true);
    await Promise.all(this.builds.flatMap((b) => (b ? [b.promise.catch(() => undefined)] : [])));
    if (this.builds.some((b) => b)) await this.settle();
  }

  stats(names: string[]): AnnStats[] {
    return names.map((vector, v) => ({
      vector,
      indexed: this.ann[v]?.size ?? 0,
      tail: this.ann[v] ? this.tails[v]!.size : this.mem.count,
      building: this.builds[v] !== undefined,
      inMemory: this.mem.heldRows(v),
    }));
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.builds.forEach((b) => b?.cancel());
  }

  private startBuild(v: number): void {
    // Every rowid up to the mirror's highest is in the input or deleted: the index's generation. (Not
    // SQLite's sequence: another process may have committed rows this mirror has not loaded yet.) An
    // offloaded vector's rows up to it are read from SQLite, where they are the same rows.
    // A snapshot is a second copy of the vectors in memory, so one larger than the vector may keep
    // resident is not made: those builds read from SQLite too.
    const snapshotBytes = this.f32Bytes(v, this.mem.count);
    const fromMemory =
      this.mem.resident(v) && snapshotBytes <= Math.min(this.ctx.residentBytes, MAX_SNAPSHOT_BYTES);
    const input = fromMemory ? this.mem.snapshot(v) : this.ctx.storedRows(v);
    const { dir, cid, params, buildThreads } = this.ctx;
    const d = this.mem.dims[v]!;
    const job = buildAnnFile(dir, cid, v, this.ctx.knownMaxRid(), d, input, params, buildThreads);
    this.builds[v] = job;
    job.promise.then(
      () => {
        this.builds[v] = undefined;
        if (!this.ctx.live()) return;
        try {
          this.adoptNewest(v); // this build's file, or a newer one another process wrote meanwhile
        } catch (e) {
          this.failed(e);
        }
        this.maybeBuild();
      },
      (e: unknown) => {
        this.builds[v] = undefined;
        if (this.ctx.live()) this.failed(e);
      },
    );
  }

  /** What `points` f32 vectors of named vector `v` take: compared with what may stay resident. */
  private f32Bytes(v: number, points: number): number {
    return points * this.mem.dims[v]! * 4;
  }

  private failed(e: unknown): void {
    this.failedAt = Date.now();
    this.ctx.onError(e);
  }

  private install(v: number, ann: AnnIndex): void {
    this.ann[v] = ann;
    const large = this.f32Bytes(v, ann.size) > this.ctx.residentBytes;
    if (large || !this.mem.resident(v)) this.mem.offload(v, ann.maxRid);
    const tail = new Set<number>();
    for (let slot = 0; slot < this.mem.slotCount; slot++) {
      if (this.mem.ids[slot] !== undefined && this.mem.rids[slot]! > ann.maxRid) tail.add(slot);
    }
    this.tails[v] = tail;
  }
}
