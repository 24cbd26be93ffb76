import { readFile } from 'node:fs/promises';
import { percent } from '../eval/evaluate-items.js';
import { labelMatrix, loadPhotoSet } from '../eval/photo-eval.js';
import {
  cslsRescorer,
  cutOffQuality,
  distribution,
  fitCalibration,
  hubness,
  imagePairs,
  similarPrecisionAt5,
  splitHalves,
  textPairs,
  wordsToImages,
  type Distribution,
  type EmbeddedPhoto,
  type SpaceCalibration,
} from '../eval/relevance-eval.js';
import { ImageDecoder } from '../models/image-decoder.js';
import { ImageEncoder } from '../models/image-encoder.js';
import { OnnxRuntime, type RuntimeOptions } from '../models/onnx-runtime.js';
import { ProjectionHead } from '../models/projection-head.js';
import { DEFAULT_DECODER_LIMITS } from '../training/dataset-features.js';
import { loadWordSpace, type WordSpace } from '../training/word-space.js';
import { normalize } from '../vectors.js';
import { ImageEmbeddingService } from './image-embedding.service.js';

export interface RelevanceEvalOptions {
  photoSet: string;
  encoderDir: string;
  headDir: string;
  runtime: RuntimeOptions;
  wordSpace?: WordSpace;
}

export interface RelevanceReport {
  pipeline: { encoder: string; encoderSha256: string; head: string; headSha256: string };
  photos: { calibration: number; test: number };
  /** Fitted on the calibration half. */
  calibration: { text: SpaceCalibration; image: SpaceCalibration };
  /** Everything below is measured on the test half only. */
  text: {
    relevant: Distribution;
    irrelevant: Distribution;
    cutOff: ReturnType<typeof cutOffQuality>;
    retrieval: ReturnType<typeof wordsToImages>;
    retrievalCsls: ReturnType<typeof wordsToImages>;
    hubness: ReturnType<typeof hubness>;
    hubnessCsls: ReturnType<typeof hubness>;
  };
  image: {
    relevant: Distribution;
    irrelevant: Distribution;
    /** The raw features, normalised (what the store kept before centring). */
    rawRelevant: Distribution;
    rawIrrelevant: Distribution;
    cutOff: ReturnType<typeof cutOffQuality>;
    similar: ReturnType<typeof similarPrecisionAt5>;
    similarRaw: ReturnType<typeof similarPrecisionAt5>;
  };
  /** The same CSLS comparison on the calibration half: what decides whether CSLS ships. */
  cslsOnCalibration: { cosineMap: number; cslsMap: number; cosineSkew: number; cslsSkew: number };
}

/** A photo's vectors, plus its raw features (normalised): image→image as it was before centring. */
type MeasuredPhoto = EmbeddedPhoto & { raw: Float32Array };
const rawVector = (p: MeasuredPhoto) => p.raw;

/** The photos through the product's own decode → encoder → head path. */
async function embedPhotos(options: RelevanceEvalOptions): Promise<{
  photos: MeasuredPhoto[];
  encoder: ImageEncoder;
  head: ProjectionHead;
  release: () => Promise<void>;
}> {
  const runtime = new OnnxRuntime(options.runtime);
  const encoder = await ImageEncoder.load(options.encoderDir, runtime);
  const head = await ProjectionHead.load(options.headDir, runtime);
  const embedding = new ImageEmbeddingService(new ImageDecoder(DEFAULT_DECODER_LIMITS), encoder, head, {
    concurrency: 1,
    batchSize: 8,
    capacity: 1000,
  });
  const set = await loadPhotoSet(options.photoSet);
  const embedded = await Promise.all(
    set.map(async (photo) => ({ photo, e: await embedding.embed(await readFile(photo.file)) })),
  );
  const photos = embedded.map(({ photo, e }) => ({
    photo,
    semantic: e.semantic,
    visual: e.visual,
    raw: normalize(e.features),
  }));
  return { photos, encoder, head, release: () => runtime.release() };
}

/** Score distributions, the fitted cut-offs and the before/after figures of issue "relevance". */
export async function evaluateRelevance(options: RelevanceEvalOptions): Promise<RelevanceReport> {
  const space = options.wordSpace ?? (await loadWordSpace());
  const vectorOf = (w: string) => space.labelVector(w);
  const labels = labelMatrix(space.labels, vectorOf);
  const { photos, encoder, head, release } = await embedPhotos(options);
  try {
    const { calibration: cal, test } = splitHalves(photos);
    const calibration = {
      text: fitCalibration(textPairs(cal, vectorOf)),
      image: fitCalibration(imagePairs(cal)),
    };
    const textTest = textPairs(test, vectorOf);
    const imageTest = imagePairs(test);
    const rawTest = imagePairs(test, rawVector);
    const semanticOf = (ps: EmbeddedPhoto[]) => ps.map((p) => p.semantic);
    const cslsCal = cslsRescorer(labels, semanticOf(cal));
    const cslsTest = cslsRescorer(labels, semanticOf(test));
    return {
      pipeline: {
        encoder: encoder.manifest.name,
        encoderSha256: encoder.manifest.sha256 ?? '',
        head: head.manifest.name,
        headSha256: head.manifest.sha256 ?? '',
      },
      photos: { calibration: cal.length, test: test.length },
      calibration,
      text: {
        relevant: distribution(textTest.relevant),
        irrelevant: distribution(textTest.irrelevant),
        cutOff: cutOffQuality(textTest, calibration.text.minScore),
        retrieval: wordsToImages(test, vectorOf),
        retrievalCsls: wordsToImages(test, vectorOf, cslsTest),
        hubness: hubness(labels, semanticOf(test)),
        hubnessCsls: hubness(labels, semanticOf(test), cslsTest),
      },
      image: {
        relevant: distribution(imageTest.relevant),
        irrelevant: distribution(imageTest.irrelevant),
        rawRelevant: distribution(rawTest.relevant),
        rawIrrelevant: distribution(rawTest.irrelevant),
        cutOff: cutOffQuality(imageTest, calibration.image.minScore),
        similar: similarPrecisionAt5(test),
        similarRaw: similarPrecisionAt5(test, rawVector),
      },
      cslsOnCalibration: {
        cosineMap: wordsToImages(cal, vectorOf).meanAveragePrecision,
        cslsMap: wordsToImages(cal, vectorOf, cslsCal).meanAveragePrecision,
        cosineSkew: hubness(labels, semanticOf(cal)).skew,
        cslsSkew: hubness(labels, semanticOf(cal), cslsCal).skew,
      },
    };
  } finally {
    await release();
  }
}

const f3 = (x: number) => x.toFixed(3);
const dist = (d: Distribution) =>
  `${f3(d.mean)} (p10 ${f3(d.p10)}, p50 ${f3(d.p50)}, p90 ${f3(d.p90)}; n ${d.n})`;

/** The report as label/value rows for the CLI. */
export function relevanceRows(r: RelevanceReport): string[][] {
  const { text, image, calibration: c } = r;
  return [
    ['pipeline', `${r.pipeline.encoder} + ${r.pipeline.head}`],
    ['photos (calibration / test halves)', `${r.photos.calibration} / ${r.photos.test}`],
    ['words→images: relevant cosine', dist(text.relevant)],
    ['words→images: irrelevant cosine', dist(text.irrelevant)],
    [
      'words→images: cut-off (fitted on calibration)',
      `${f3(c.text.minScore)}: precision ${percent(text.cutOff.precision)}, recall ${percent(text.cutOff.recall)}`,
    ],
    [
      'words→images: precision@5 / mAP (cosine)',
      `${percent(text.retrieval.precisionAt5)} / ${percent(text.retrieval.meanAveragePrecision)} (${text.retrieval.queries} words)`,
    ],
    [
      'words→images: precision@5 / mAP (CSLS)',
      `${percent(text.retrievalCsls.precisionAt5)} / ${percent(text.retrievalCsls.meanAveragePrecision)}`,
    ],
    [
      'hubness: N10 skew, max/mean (cosine)',
      `${text.hubness.skew.toFixed(2)}, ${text.hubness.maxOverMean.toFixed(2)}`,
    ],
    [
      'hubness: N10 skew, max/mean (CSLS)',
      `${text.hubnessCsls.skew.toFixed(2)}, ${text.hubnessCsls.maxOverMean.toFixed(2)}`,
    ],
    [
      'CSLS on the calibration half: mAP, skew',
      `${percent(r.cslsOnCalibration.cosineMap)} → ${percent(r.cslsOnCalibration.cslsMap)}, ${r.cslsOnCalibration.cosineSkew.toFixed(2)} → ${r.cslsOnCalibration.cslsSkew.toFixed(2)}`,
    ],
    ['image→image: related cosine (raw features)', dist(image.rawRelevant)],
    ['image→image: unrelated cosine (raw features)', dist(image.rawIrrelevant)],
    ['image→image: related cosine (centred)', dist(image.relevant)],
    ['image→image: unrelated cosine (centred)', dist(image.irrelevant)],
    [
      'image→image: cut-off (fitted on calibration)',
      `${f3(c.image.minScore)}: precision ${percent(image.cutOff.precision)}, recall ${percent(image.cutOff.recall)}`,
    ],
    [
      'similarImages precision@5: raw → centred',
      `${percent(image.similarRaw.precisionAt5)} → ${percent(image.similar.precisionAt5)} (${image.similar.queries} photos)`,
    ],
  ];
}
