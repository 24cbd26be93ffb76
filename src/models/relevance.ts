import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * What a cosine means, per pipeline: `relevance.json` beside the head's manifest holds a default cut-off
 * and a logistic P(relevant | cosine) for words→images and for image→image, fitted on the calibration
 * half of the held-out photo set by `scripts/calibrate-relevance.ts`. It is tied to the encoder and head
 * files by checksum; a head without a matching file has no calibrated cut-off (see `relevanceCuts`).
 */

export const RELEVANCE_FILE = 'relevance.json';

const spaceSchema = z.object({
  minScore: z.number().min(-1).max(1),
  logistic: z.object({ slope: z.number(), intercept: z.number() }),
  pairs: z.object({ relevant: z.number().int(), irrelevant: z.number().int() }),
});

export const relevanceFileSchema = z.object({
  kind: z.literal('relevance-calibration'),
  generator: z.string(),
  photoSet: z.string(),
  split: z.string(),
  inputs: z.object({ encoderSha256: z.string(), headSha256: z.string() }),
  text: spaceSchema,
  image: spaceSchema,
});
export type RelevanceFile = z.infer<typeof relevanceFileSchema>;
export type SpaceCalibrationFile = z.infer<typeof spaceSchema>;

export type RelevanceBand = 'STRONG' | 'WEAK' | 'BELOW_CUTOFF';

/** How one kind of search turns a cosine into a decision. */
export interface RelevanceScale {
  /** Results below it are left out unless a query asks for them; undefined: no cut-off. */
  minScore: number | undefined;
  /** Where minScore comes from (logged at start). */
  source: 'calibrated' | 'configured' | 'none';
  /** Estimated P(relevant) for a cosine; undefined when the pipeline is not calibrated. */
  relevance(score: number): number | undefined;
  band(score: number): RelevanceBand | undefined;
}

export function relevanceScale(
  calibration: SpaceCalibrationFile | undefined,
  configured: number | 'calibrated' | 'none',
): RelevanceScale {
  const minScore =
    configured === 'none' ? undefined : configured === 'calibrated' ? calibration?.minScore : configured;
  const relevance = (score: number) => {
    if (!calibration) return undefined;
    const { slope, intercept } = calibration.logistic;
    return 1 / (1 + Math.exp(-(slope * score + intercept)));
  };
  return {
    minScore,
    source: typeof configured === 'number' ? 'configured' : minScore === undefined ? 'none' : 'calibrated',
    relevance,
    band: (score) => {
      const p = relevance(score);
      const cut = minScore ?? calibration?.minScore;
      if (p === undefined || cut === undefined) return undefined;
      if (score < cut) return 'BELOW_CUTOFF';
      return p >= 0.5 ? 'STRONG' : 'WEAK';
    },
  };
}

/** The pipeline's calibration, or why there is none (no file, or fitted for other model files). */
export async function loadRelevanceFile(
  headDir: string,
  models: { encoderSha256: string | undefined; headSha256: string | undefined },
): Promise<{ file?: RelevanceFile; reason?: string }> {
  const file = path.join(headDir, RELEVANCE_FILE);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return { reason: `${file} not found: run scripts/calibrate-relevance for this head` };
  }
  const parsed = relevanceFileSchema.safeParse(JSON.parse(raw));
  if (!parsed.success)
    return { reason: `${file} is not a relevance calibration: ${parsed.error.issues[0]?.message}` };
  const { inputs } = parsed.data;
  if (inputs.encoderSha256 !== models.encoderSha256 || inputs.headSha256 !== models.headSha256) {
    return { reason: `${file} was fitted for other model files: run scripts/calibrate-relevance again` };
  }
  return { file: parsed.data };
}
