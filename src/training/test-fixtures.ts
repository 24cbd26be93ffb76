import type { Rows } from './mlp-trainer.js';

/** Synthetic "features → word vectors": each class has a random prototype feature and a random target. */
export function syntheticRows(
  random: () => number,
  o: { inputDim: number; outputDim: number; classes: number; perClass: number; noise?: number },
): { train: Rows; val: Rows; targets: Float32Array[] } {
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const protos = Array.from({ length: o.classes }, () => Float32Array.from({ length: o.inputDim }, gauss));
  const targets = Array.from({ length: o.classes }, () => Float32Array.from({ length: o.outputDim }, gauss));
  const train: { x: Float32Array[]; y: Float32Array[] } = { x: [], y: [] };
  const val: { x: Float32Array[]; y: Float32Array[] } = { x: [], y: [] };
  for (let c = 0; c < o.classes; c++) {
    for (let i = 0; i < o.perClass; i++) {
      const x = protos[c]!.map((v) => v + (o.noise ?? 0.5) * gauss());
      const set = i % 5 === 0 ? val : train;
      set.x.push(x);
      set.y.push(targets[c]!);
    }
  }
  return { train, val, targets };
}
