import * as tf from '@tensorflow/tfjs';
import { kerasLayers, type Pooling } from './keras-to-onnx.js';
import type { TfjsArtifacts, WeightSpec } from './tfjs-artifacts.js';

/**
 * The converter's ground truth: runs the same nsfwjs Keras model in TF.js up to `cutLayer` and pools
 * it the same way. TF.js dequantizes the raw shard bytes itself, so our dequantizer is checked too.
 * Used by tests and for ad-hoc verification; not on the serving path.
 */
export async function tfjsReferenceFeatures(
  artifacts: TfjsArtifacts,
  cutLayer: string,
  pooling: Pooling[],
  input: Float32Array,
  shape: [number, number, number, number],
): Promise<Float32Array> {
  const { topology, specs, data } = truncateModel(artifacts, cutLayer, shape[1], shape[2]);
  const model = await tf.loadLayersModel({
    load: () =>
      Promise.resolve({
        modelTopology: topology,
        weightSpecs: specs,
        weightData: data,
      }),
  });
  try {
    return tf.tidy(() => {
      const fmap = model.predict(tf.tensor4d(input, shape)) as tf.Tensor4D;
      const pooled = pooling.map((p) => (p === 'avg' ? tf.mean(fmap, [1, 2]) : tf.max(fmap, [1, 2])));
      return tf.concat(pooled, 1).dataSync() as Float32Array;
    });
  } finally {
    model.dispose();
  }
}

/** Keeps the cut's ancestors (and their weights), makes the cut the output and sets the input size. */
function truncateModel(artifacts: TfjsArtifacts, cutLayer: string, height: number, width: number) {
  const topology = structuredClone(artifacts.modelTopology) as {
    model_config: { config: Record<string, unknown> };
  };
  const layers = kerasLayers(topology);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const keep = new Set<string>();
  const stack = [cutLayer];
  while (stack.length) {
    const n = stack.pop()!;
    if (keep.has(n)) continue;
    keep.add(n);
    for (const [src] of byName.get(n)?.inbound_nodes[0] ?? []) stack.push(src);
  }
  const kept = layers.filter((l) => keep.has(l.name));
  for (const l of kept) {
    if (l.class_name === 'InputLayer') l.config.batch_input_shape = [null, height, width, 3];
  }
  const cfg = topology.model_config.config;
  cfg.layers = kept;
  cfg.output_layers = [[cutLayer, 0, 0]];

  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const bytes = byteSize(spec);
    if (keep.has(spec.name.split('/')[0]!)) {
      specs.push(spec);
      chunks.push(new Uint8Array(artifacts.weightData, offset, bytes));
    }
    offset += bytes;
  }
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return { topology, specs, data: data.buffer };
}

function byteSize(spec: WeightSpec): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  return n * (q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : 4);
}
