/**
 * Ranking-time variants on the zero-shot split, for one trained head: plain cosine, test-time
 * augmentation, hubness correction (CSLS against reference projections), ConSE over the seen labels,
 * and an ensemble of several trained heads. Heads are cached under .cache/posthoc so reruns are fast.
 *   node dist/scripts/posthoc-experiments.js '{"mlp":{...},"heads":3,"gammas":[1,2]}'
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scoreRows, vectorMatrix, type VectorMatrix } from '../src/eval/ranking.js';
import { groupOf } from '../src/eval/evaluate-items.js';
import { forwardDense, type DenseStack } from '../src/training/dense-stack.js';
import { deshrink, meanVector, outputSpread } from '../src/training/deshrink.js';
import { fitMlpHead, fitRidgeHead, type FittedHead } from '../src/training/fit-head.js';
import { applyInputTransform, type InputTransform } from '../src/training/input-transform.js';
import type { MlpConfig } from '../src/training/mlp-trainer.js';
import { normalize } from '../src/vectors.js';
import { loadExperimentData } from './experiment-data.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  name?: string;
  mlp?: Partial<MlpConfig>;
  ridge?: number;
  heads?: number;
  spread?: boolean;
  /** Repeat photo-like training rows this many times (default 1). */
  photoRepeat?: number;
  /** Add the N most frequent label-vocabulary words as softmax negatives. */
  negatives?: number;
  gammas?: number[];
  cslsK?: number[];
  conse?: { top: number; temperature: number; weight: number }[];
};
const out = (s: string) => process.stdout.write(`${s}\n`);
const { space, data, seen, unseen, train, val } = await loadExperimentData(true);
const targetOf = (c: string) => space.labelVector(c);
const withViews = (rows: typeof train) => {
  const rs = rows.flatMap((r) => Array.from({ length: r.item.photo ? (args.photoRepeat ?? 1) : 1 }, () => r));
  const all = [
    ...rs,
    ...Object.values(data.augmented).flatMap((v) =>
      rs.flatMap((r) => (v[r.index] ? [{ item: r.item, feature: v[r.index]! }] : [])),
    ),
  ];
  return { items: all.map((r) => r.item), features: all.map((r) => r.feature) };
};
const plain = (rs: typeof train) => ({ items: rs.map((r) => r.item), features: rs.map((r) => r.feature) });

const cacheDir = path.resolve('.cache/posthoc');
await mkdir(cacheDir, { recursive: true });
async function head(k: number): Promise<FittedHead> {
  const file = path.join(cacheDir, `${args.name ?? 'head'}-${k}.json`);
  try {
    const j = JSON.parse(await readFile(file, 'utf8')) as {
      stack: {
        alpha: number;
        layers: (Omit<DenseStack['layers'][0], 'weights' | 'bias'> & { weights: number[]; bias: number[] })[];
      };
      transform: { l2: boolean; mean?: number[]; scale?: number[] };
    };
    return {
      stack: {
        alpha: j.stack.alpha,
        layers: j.stack.layers.map((l) => ({
          ...l,
          weights: Float32Array.from(l.weights),
          bias: Float32Array.from(l.bias),
        })),
      },
      transform: {
        ...j.transform,
        ...(j.transform.mean ? { mean: Float32Array.from(j.transform.mean) } : {}),
        ...(j.transform.scale ? { scale: Float32Array.from(j.transform.scale) } : {}),
      } as unknown as InputTransform,
    };
  } catch {
    const started = Date.now();
    const fitted =
      args.ridge !== undefined
        ? fitRidgeHead(withViews(train), targetOf, args.ridge)
        : await fitMlpHead(withViews(train), plain(val), targetOf, {
            mlp: { ...args.mlp, seed: k + 1 },
            negatives: space.labels.slice(0, args.negatives ?? 0).flatMap((w) => targetOf(w) ?? []),
            onEpoch: (r) =>
              out(
                `epoch ${r.epoch} train ${r.trainLoss.toFixed(4)} val ${r.valLoss.toFixed(4)} ${r.seconds.toFixed(0)} s`,
              ),
          });
    out(`trained head ${k} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const ser = (a: unknown) => (a instanceof Float32Array ? Array.from(a) : a);
    await writeFile(
      file,
      JSON.stringify({
        stack: {
          alpha: fitted.stack.alpha,
          layers: fitted.stack.layers.map((l) => ({ ...l, weights: ser(l.weights), bias: ser(l.bias) })),
        },
        transform: Object.fromEntries(Object.entries(fitted.transform).map(([key, v]) => [key, ser(v)])),
      }),
    );
    return fitted;
  }
}

const heads: FittedHead[] = [];
for (let k = 0; k < (args.heads ?? 1); k++) heads.push(await head(k));
const meanTarget = meanVector(plain(train).items.flatMap((i) => targetOf(i.concept) ?? []));
const unseenConcepts = [...new Set(unseen.map((r) => r.item.concept))].filter((c) => targetOf(c)).sort();
const seenConcepts = [...new Set(seen.map((r) => r.item.concept))].filter((c) => targetOf(c)).sort();
const trainConcepts = [...new Set(train.map((r) => r.item.concept))].filter((c) => targetOf(c)).sort();
const seenWords = new Set(seenConcepts.flatMap((c) => c.split(' ')));
const matrix = (labels: readonly string[]) =>
  vectorMatrix(
    [...new Set(labels)].flatMap((key) => (targetOf(key) ? [{ key, vector: targetOf(key)! }] : [])),
  );
const U = matrix(unseenConcepts);
const V = matrix([...space.labels, ...seenConcepts, ...unseenConcepts]);
const T = matrix(trainConcepts);
const test = unseen.filter((r) => targetOf(r.item.concept));

function rank(scores: Float32Array, m: VectorMatrix, concept: string): number {
  const t = m.keys.indexOf(concept);
  let r = 1;
  for (let i = 0; i < scores.length; i++) if (i !== t && scores[i]! >= scores[t]!) r++;
  return r;
}
/** Mean of the top-k cosines of each label with the reference projections (CSLS's r_label). */
function hubness(m: VectorMatrix, refs: readonly Float32Array[], k: number): Float32Array {
  const R = vectorMatrix(refs.map((vector, i) => ({ key: String(i), vector })));
  const out = new Float32Array(m.keys.length);
  for (let l = 0; l < m.keys.length; l++) {
    const s = scoreRows(m.data.subarray(l * m.dimension, (l + 1) * m.dimension), R).sort();
    let sum = 0;
    for (let j = 0; j < k; j++) sum += s[s.length - 1 - j]!;
    out[l] = sum / k;
  }
  return out;
}
function conse(p: Float32Array, top: number, temperature: number): Float32Array {
  const s = scoreRows(p, T);
  const order = Array.from(s.keys())
    .sort((a, b) => s[b]! - s[a]!)
    .slice(0, top);
  const w = order.map((i) => Math.exp((s[i]! - s[order[0]!]!) / temperature));
  const z = w.reduce((a, b) => a + b, 0);
  const c = new Float32Array(T.dimension);
  order.forEach((i, j) => {
    for (let d = 0; d < T.dimension; d++) c[d]! += (w[j]! / z) * T.data[i * T.dimension + d]!;
  });
  return normalize(c);
}

for (const gamma of args.gammas ?? [1, 2]) {
  // With `spread`, the de-shrink that trainHead applies (recentred on the targets' mean, rescaled by spread).
  const stacks = heads.map((h) => {
    if (!args.spread) return { h, stack: deshrink(h.stack, meanTarget, gamma) };
    const sample = train.filter((_, i) => i % 2 === 0);
    const spread = outputSpread(
      sample.map((r) => forwardDense(h.stack, applyInputTransform(h.transform, r.feature))),
      sample.map((r) => targetOf(r.item.concept)!),
    );
    return { h, stack: deshrink(h.stack, meanTarget, gamma, spread) };
  });
  const project = (f: Float32Array) => {
    const sum = new Float32Array(space.dimension);
    for (const { h, stack } of stacks) {
      const o = normalize(forwardDense(stack, applyInputTransform(h.transform, f)));
      o.forEach((x, i) => (sum[i]! += x));
    }
    return normalize(sum);
  };
  const flop = data.augmented.flop!;
  const pred = new Map(test.map((r) => [r.index, project(r.feature)]));
  const tta = new Map(
    test.map((r) => {
      const a = pred.get(r.index)!;
      const b = flop[r.index] ? project(flop[r.index]!) : a;
      return [r.index, normalize(a.map((x, i) => x + b[i]!))];
    }),
  );
  const refs = train.filter((_, i) => i % 2 === 0).map((r) => project(r.feature));
  type Scorer = {
    name: string;
    preds: Map<number, Float32Array>;
    bias?: (m: VectorMatrix) => Float32Array;
    mix?: (p: Float32Array) => Float32Array;
  };
  const scorers: Scorer[] = [
    { name: 'plain', preds: pred },
    { name: 'tta-flop', preds: tta },
  ];
  const biasCache = new Map<string, Float32Array>();
  for (const k of args.cslsK ?? [10])
    scorers.push({
      name: `csls-k${k}`,
      preds: pred,
      bias: (m) => {
        const key = `${m.keys.length}-${k}`;
        if (!biasCache.has(key)) biasCache.set(key, hubness(m, refs, k));
        return biasCache.get(key)!;
      },
    });
  for (const c of args.conse ?? [])
    scorers.push({
      name: `conse-t${c.top}-τ${c.temperature}-w${c.weight}`,
      preds: pred,
      mix: (p) => {
        const v = conse(p, c.top, c.temperature);
        return c.weight < 0 ? v : normalize(p.map((x, i) => x + c.weight * v[i]!));
      },
    });
  out(
    `\nγ=${gamma}, heads ${heads.length}, test ${test.length} images, ${U.keys.length} unseen labels, ${V.keys.length} vocabulary`,
  );
  out(
    'scorer\tval@5\tval-vocab@5\t(i)@1\t(i)@5\t(i)@10\tvocab@5\topen@5\tphoto(i)@5\tphoto-open@5\temoji(i)@5\tTwemoji+Noto+stamps (i)@5',
  );
  const valRows = val.filter((r) => targetOf(r.item.concept));
  const VC = matrix(valRows.map((r) => r.item.concept));
  for (const s of scorers) {
    // Validation: held-out seen concepts, never trained on; what a setting should be chosen by.
    const valRanks = valRows.map((r) => {
      let p = project(r.feature);
      if (s.mix) p = s.mix(p);
      return { c: rank(scoreRows(p, VC), VC, r.item.concept), v: rank(scoreRows(p, V), V, r.item.concept) };
    });
    const valHit = (key: 'c' | 'v') =>
      ((100 * valRanks.filter((x) => x[key] <= 5).length) / valRanks.length).toFixed(1);
    const rows = test.map((r) => {
      let p = s.preds.get(r.index)!;
      if (s.mix) p = s.mix(p);
      const su = scoreRows(p, U);
      const sv = scoreRows(p, V);
      if (s.bias) {
        const bu = s.bias(U);
        const bv = s.bias(V);
        su.forEach((x, i) => (su[i] = 2 * x - bu[i]!));
        sv.forEach((x, i) => (sv[i] = 2 * x - bv[i]!));
      }
      return {
        group: groupOf(r.item),
        open: r.item.words.every((w) => !seenWords.has(w)),
        original: r.item.domain === 'stamp' || r.item.path.includes('/img/'),
        u: rank(su, U, r.item.concept),
        v: rank(sv, V, r.item.concept),
      };
    });
    const hit = (rs: typeof rows, key: 'u' | 'v', k: number) =>
      rs.length ? ((100 * rs.filter((x) => x[key] <= k).length) / rs.length).toFixed(1) : '-';
    const photo = rows.filter((x) => x.group === 'stamp-photo');
    out(
      [
        s.name,
        valHit('c'),
        valHit('v'),
        hit(rows, 'u', 1),
        hit(rows, 'u', 5),
        hit(rows, 'u', 10),
        hit(rows, 'v', 5),
        hit(
          rows.filter((x) => x.open),
          'v',
          5,
        ),
        hit(photo, 'u', 5),
        hit(
          photo.filter((x) => x.open),
          'v',
          5,
        ),
        hit(
          rows.filter((x) => x.group === 'emoji'),
          'u',
          5,
        ),
        hit(
          rows.filter((x) => x.original),
          'u',
          5,
        ),
      ].join('\t'),
    );
  }
}
