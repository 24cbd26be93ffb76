/**
 * Step 5: vocabulary search (all words, in process): ANN vs exact for query words drawn uniformly from
 * the whole vocabulary (mostly rare words, the hard case) and from the 10k most frequent (what people
 * type), each the word's vector plus small noise; the full run also sweeps ef.
 */
import { embeddedStoreOptions, VOCABULARY_ANN } from '../../src/bootstrap.js';
import { VOCABULARY } from '../../src/services/collections.js';
import { EmbeddedStore } from '../../src/store/embedded.store.js';
import { mulberry32 } from '../../src/training/random.js';
import { defaultGlovePath } from '../../src/training/word-space.js';
import { openGloveJson } from '../../src/words/glove-json.reader.js';
import type { BenchContext } from '../context.js';
import { fmt, log, median, now, percentile } from '../lib.js';

interface QuerySet {
  queries: Float32Array[];
  truth: Set<string>[];
}

interface VocabRun {
  p50: number;
  p99: number;
  recall: number;
}

/** The vocabulary's words, most frequent first (the word file's order). */
export async function wordsByFrequency(): Promise<string[]> {
  const words: string[] = [];
  for await (const entry of await openGloveJson(defaultGlovePath())) words.push(entry.word);
  return words;
}

export async function benchVocabulary(ctx: BenchContext, byFrequency: string[]): Promise<void> {
  const { report, sizes } = ctx;
  const options = embeddedStoreOptions(ctx.config, false);
  let store = await EmbeddedStore.open(options);
  let uniform: QuerySet;
  let frequent: QuerySet;
  let vocabCount: number;
  try {
    vocabCount = (await store.collectionInfo(VOCABULARY))!.count;
    const rq = mulberry32(9);
    uniform = await querySet(store, byFrequency, Math.min(byFrequency.length, vocabCount), sizes.vocabQ, rq);
    frequent = await querySet(store, byFrequency, 10_000, sizes.vocabQ, rq);
  } finally {
    await store.close();
  }
  const rows: (VocabRun & { ef: string | number; frequentP50: number; frequentRecall: number })[] = [];
  for (const ef of ['default' as const, ...sizes.efSweep]) {
    const vocabulary = { ...VOCABULARY_ANN, ...(ef === 'default' ? {} : { expansionSearch: ef }) };
    store = await EmbeddedStore.open({ ...options, annParamsByCollection: { [VOCABULARY]: vocabulary } });
    try {
      const u = await run(store, uniform);
      const f = await run(store, frequent);
      rows.push({ ef, ...u, frequentP50: f.p50, frequentRecall: f.recall });
      log(
        `vocab ef ${ef}: p50 ${fmt(u.p50)} ms, recall ${fmt(u.recall, 4)}; frequent p50 ${fmt(f.p50)} ms, recall ${fmt(f.recall, 4)}`,
      );
      if (ef === 'default') report.table('vocabularyAnn', store.annStats(VOCABULARY));
    } finally {
      await store.close();
    }
  }
  const d = rows[0]!;
  report.figure({
    metric: 'vocab_p50_ms',
    value: d.p50,
    unit: 'ms',
    reference: 1,
    referenceLabel: 'bound',
    goal: '≤ 1 ms',
    pass: d.p50 <= 1,
    note: `${vocabCount} words, query words drawn uniformly from all of them, default ANN params`,
  });
  report.figure({ metric: 'vocab_p99_ms', value: d.p99, unit: 'ms', note: 'same queries' });
  report.figure({
    metric: 'vocab_recall_at_10',
    value: d.recall,
    unit: '',
    reference: 0.98,
    referenceLabel: 'bound',
    goal: '≥ 0.98',
    pass: d.recall >= 0.98,
  });
  report.figure({
    metric: 'vocab_frequent_p50_ms',
    value: d.frequentP50,
    unit: 'ms',
    reference: 1,
    referenceLabel: 'bound',
    goal: 'info',
    note: 'query words from the 10k most frequent',
  });
  report.figure({
    metric: 'vocab_frequent_recall_at_10',
    value: d.frequentRecall,
    unit: '',
    reference: 0.98,
    referenceLabel: 'bound',
    goal: 'info',
  });
  report.table('vocabulary', rows);
  report.section({
    title:
      'vocabulary search (in process) by ef; query words uniform over all words, and the 10k most frequent',
    headers: ['ef', 'p50 ms', 'p99 ms', 'recall@10', 'frequent p50 ms', 'frequent recall@10'],
    rows: rows.map((r) => [
      r.ef,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.recall, 4),
      fmt(r.frequentP50),
      fmt(r.frequentRecall, 4),
    ]),
  });
}

async function querySet(
  store: EmbeddedStore,
  byFrequency: string[],
  poolSize: number,
  n: number,
  rnd: () => number,
): Promise<QuerySet> {
  const words = Array.from({ length: n }, () => byFrequency[Math.floor(rnd() * poolSize)]!);
  const points = await store.get(VOCABULARY, words, { withVectors: true });
  const queries = points.map((p) => {
    const v = Float32Array.from(p.vectors!.semantic!);
    for (let i = 0; i < v.length; i++) v[i]! += (rnd() - 0.5) * 0.05;
    return v;
  });
  const truth: Set<string>[] = [];
  for (const q of queries) {
    const hits = await store.search(VOCABULARY, { using: 'semantic', vector: q, limit: 10, exact: true });
    truth.push(new Set(hits.map((p) => p.id)));
  }
  return { queries, truth };
}

/** Two passes: the first faults the memory-mapped index in (a fresh server), the second is timed. */
async function run(store: EmbeddedStore, set: QuerySet): Promise<VocabRun> {
  for (const q of set.queries) await store.search(VOCABULARY, { using: 'semantic', vector: q, limit: 10 });
  const ms: number[] = [];
  let found = 0;
  for (const [i, q] of set.queries.entries()) {
    const t = now();
    const hits = await store.search(VOCABULARY, { using: 'semantic', vector: q, limit: 10 });
    ms.push(now() - t);
    found += hits.filter((h) => set.truth[i]!.has(h.id)).length;
  }
  return { p50: median(ms), p99: percentile(ms, 99), recall: found / (set.queries.length * 10) };
}
