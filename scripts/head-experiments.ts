/**
 * Compares head variants on the default dataset's zero-shot split (MLP configs vs ridge).
 * Run after build-default-dataset + encode-default-dataset:
 *   node dist/scripts/head-experiments.js '<json list of {name, mlp?, input?, ridge?}>'
 */
import { readFile } from 'node:fs/promises';
import { evaluateItems, METRICS_HEADER, metricsRows } from '../src/eval/evaluate-items.js';
import { hitReport } from '../src/eval/zero-shot.js';
import { forwardDense } from '../src/training/dense-stack.js';
import { deshrink, meanVector, outputSpread } from '../src/training/deshrink.js';
import { fitMlpHead, fitRidgeHead, type FittedHead } from '../src/training/fit-head.js';
import { applyInputTransform, type InputTransformOptions } from '../src/training/input-transform.js';
import type { MlpConfig } from '../src/training/mlp-trainer.js';
import { normalize } from '../src/vectors.js';
import { loadExperimentData } from './experiment-data.js';

interface Variant {
  name: string;
  mlp?: Partial<MlpConfig>;
  input?: InputTransformOptions;
  ridge?: number;
  domains?: string[];
  gammas?: number[];
  spread?: boolean;
  augment?: boolean;
  /** Fuse ConSE vectors from cached COCO class scores (scripts/coco-scores.ts): weight 0 = head only, < 0 = ConSE only. */
  conse?: { file: string; weights: number[]; top: number };
}
const variants = JSON.parse(process.argv[2] ?? '[]') as Variant[];
const out = (s: string) => process.stdout.write(`${s}\n`);

const { space, data, indexed, seen, train, val } = await loadExperimentData(variants.some((v) => v.augment));
const views = Object.values(data.augmented);
out(`items ${data.items.length}, seen ${seen.length} (train ${train.length}, val ${val.length})`);
const pick = (rs: typeof train, domains?: string[], augment = false) => {
  const f = rs.filter((r) => !domains || domains.includes(r.item.domain ?? ''));
  const extra = augment
    ? views.flatMap((v) => f.flatMap((r) => (v[r.index] ? [{ item: r.item, feature: v[r.index]! }] : [])))
    : [];
  const all = [...f, ...extra];
  return { items: all.map((r) => r.item), features: all.map((r) => r.feature) };
};
const targetOf = (c: string) => space.labelVector(c);
const COCO = JSON.parse(await readFile('scripts/coco-labels.json', 'utf8')) as string[];
/** ConSE: the score-weighted mean of the top classes' unit word vectors. */
function conseVector(scores: readonly number[], top: number): Float32Array {
  const order = scores
    .map((s, k) => [s, k] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, top);
  const out = new Float32Array(space.dimension);
  for (const [score, k] of order) {
    const v = space.labelVector(COCO[k]!);
    if (v) normalize(v).forEach((x, i) => (out[i] = out[i]! + score * x));
  }
  return normalize(out);
}

for (const v of variants) {
  const started = Date.now();
  let head: FittedHead;
  let extra = '';
  if (v.ridge !== undefined)
    head = fitRidgeHead(pick(train, v.domains, v.augment), targetOf, v.ridge, v.input);
  else {
    const fitted = await fitMlpHead(pick(train, v.domains, v.augment), pick(val), targetOf, {
      ...(v.mlp ? { mlp: v.mlp } : {}),
      ...(v.input ? { input: v.input } : {}),
    });
    head = fitted;
    const h = fitted.result.history;
    extra = `best epoch ${fitted.result.bestEpoch}/${h.length}, val ${fitted.result.bestValLoss.toFixed(4)}, ${(h.reduce((a, r) => a + r.seconds, 0) / h.length).toFixed(1)} s/epoch`;
  }
  const meanTarget = meanVector(pick(train).items.flatMap((i) => targetOf(i.concept) ?? []));
  const sample = pick(train)
    .items.map((item, i) => ({ item, feature: pick(train).features[i]! }))
    .filter((_, i) => i % 2 === 0);
  const spread = v.spread
    ? outputSpread(
        sample.map((r) => forwardDense(head.stack, applyInputTransform(head.transform, r.feature))),
        sample.map((r) => targetOf(r.item.concept) ?? meanTarget),
      )
    : undefined;
  const cocoScores = v.conse
    ? (JSON.parse(await readFile(v.conse.file, 'utf8')) as Record<string, number[]>)
    : undefined;
  for (const [gamma, weight] of (v.gammas ?? [1]).flatMap((g) =>
    (v.conse?.weights ?? [0]).map((w) => [g, w] as const),
  )) {
    const stack = deshrink(head.stack, meanTarget, gamma, spread);
    const predictions = new Map(
      indexed.map((r) => {
        const pred = normalize(forwardDense(stack, applyInputTransform(head.transform, r.feature)));
        const scores = cocoScores?.[r.item.path];
        if (!scores || weight === 0) return [r.index, pred];
        const c = conseVector(scores, v.conse!.top);
        return [r.index, weight > 0 ? pred.map((x, i) => x + weight * c[i]!) : c];
      }),
    );
    const ev = evaluateItems(data.items, predictions, space.labels, (l) => space.labelVector(l));
    // Validation: the held-out seen concepts ranked among themselves (what γ is chosen on).
    const valImages = val.map((r) => ({
      concept: r.item.concept,
      words: r.item.words,
      group: 'val',
      prediction: predictions.get(r.index)!,
    }));
    const valConcepts = [...new Set(val.map((r) => r.item.concept))];
    const valHits = hitReport(
      {
        images: valImages,
        seenConcepts: [],
        unseenConcepts: valConcepts,
        vocabulary: [],
        vectorOf: targetOf,
      },
      valImages,
    ).unseenLabels.hits;
    out(
      `\n== ${v.name} γ=${gamma} conse=${weight} (${((Date.now() - started) / 1000).toFixed(0)} s) ${extra}  val hit@5 ${valHits['@5']?.toFixed(3)}  tag/neighbour overlap ${ev.comparison.meanOverlap.toFixed(3)}`,
    );
    out(METRICS_HEADER.join('\t'));
    for (const row of metricsRows(`${v.name}-g${gamma}-c${weight}`, ev.report)) out(row.join('\t'));
  }
}
