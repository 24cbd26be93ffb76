import { tf } from './tf-backend.js';

/** Row-wise L2 normalisation; the epsilon keeps a zero row finite (its cosine is then 0). */
export function l2NormalizeRows(t: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => t.div(t.square().sum(-1, true).add(1e-12).sqrt()));
}

/** Mean over rows of 1 − cos(pred, target): the DeViSE-style regression loss on direction only. */
export function cosineLoss(target: tf.Tensor2D, pred: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.scalar(1).sub(l2NormalizeRows(target).mul(l2NormalizeRows(pred)).sum(-1).mean()));
}
