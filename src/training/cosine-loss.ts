import { tf } from './tf-backend.js';

/** Row-wise L2 normalisation; the epsilon keeps a zero row finite (its cosine is then 0). */
export function l2NormalizeRows(t: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => t.div(t.square().sum(-1, true).add(1e-12).sqrt()));
}

/** Mean over rows of 1 − cos(pred, target): the DeViSE-style regression loss on direction only. */
export function cosineLoss(target: tf.Tensor2D, pred: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.scalar(1).sub(l2NormalizeRows(target).mul(l2NormalizeRows(pred)).sum(-1).mean()));
}

/**
 * Cross-entropy over the cosines between each prediction and every class's word vector, scaled by
 * 1/temperature. Unlike the regression loss it also pushes predictions away from the other classes'
 * vectors, which keeps them from collapsing towards the mean target (the hubness that makes every
 * image's tags the same few words). `classVectors` holds unit rows; `labels` indexes them.
 */
export function softmaxCosineLoss(
  classVectors: tf.Tensor2D,
  labels: tf.Tensor1D,
  pred: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const logits = l2NormalizeRows(pred).matMul(classVectors, false, true).div(temperature);
    const onehot = tf.oneHot(labels, classVectors.shape[0]);
    return tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(
      onehot as tf.Tensor2D,
      logits as tf.Tensor2D,
    );
  });
}
