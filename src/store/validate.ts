import { AppError, ErrorCode } from '../errors.js';
import type {
  CollectionSpec,
  Condition,
  Filter,
  Point,
  ScrollRequest,
  SearchRequest,
  VectorSpec,
} from './vector-store.js';

/**
 * Checks shared by both backends, so that bad input fails the same way (and before any write) whichever
 * store is configured.
 */

/** Payload key the Qdrant backend uses for the natural id; reserved on both backends so they behave alike. */
export const RESERVED_ID_KEY = '_id';

const NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;

function bad(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, message, details);
}

export function validateSpec(spec: CollectionSpec): void {
  if (!NAME_RE.test(spec.name)) throw bad(`invalid collection name "${spec.name}"`);
  if (spec.metadata !== undefined) validateMetadata(spec.metadata);
  const names = Object.keys(spec.vectors);
  if (names.length === 0) throw bad(`collection "${spec.name}" needs at least one named vector`);
  for (const [name, v] of Object.entries(spec.vectors)) {
    if (!NAME_RE.test(name)) throw bad(`invalid vector name "${name}"`);
    if (!Number.isInteger(v.size) || v.size < 1 || v.size > 65536)
      throw bad(`invalid size for vector "${name}"`);
  }
}

/** DIMENSION_MISMATCH naming both sides, when stored and expected named vectors differ. */
export function checkSameVectors(
  collection: string,
  stored: Record<string, VectorSpec>,
  expected: Record<string, VectorSpec>,
): void {
  const fmt = (v: Record<string, VectorSpec>): string =>
    Object.keys(v)
      .sort()
      .map((k) => `${k}:${v[k]!.size}`)
      .join(', ');
  if (fmt(stored) !== fmt(expected)) {
    throw new AppError(
      ErrorCode.DIMENSION_MISMATCH,
      `collection "${collection}" exists with vectors {${fmt(stored)}} but {${fmt(expected)}} was expected`,
      { collection, stored, expected },
    );
  }
}

export function validatePoints(
  collection: string,
  vectors: Record<string, VectorSpec>,
  points: Point[],
): void {
  const seen = new Set<string>();
  for (const p of points) {
    if (typeof p.id !== 'string' || p.id.length === 0 || p.id.length > 1024)
      throw bad('point id must be a non-empty string');
    if (seen.has(p.id)) throw bad(`duplicate point id "${p.id}" in one upsert`);
    seen.add(p.id);
    if (p.payload === null || typeof p.payload !== 'object' || Array.isArray(p.payload)) {
      throw bad(`payload of "${p.id}" must be an object`);
    }
    if (RESERVED_ID_KEY in p.payload) throw bad(`payload key "${RESERVED_ID_KEY}" is reserved`);
    for (const name of Object.keys(p.vectors)) {
      if (!(name in vectors)) throw bad(`collection "${collection}" has no vector named "${name}"`);
    }
    for (const [name, spec] of Object.entries(vectors)) {
      const v = p.vectors[name];
      if (!(v instanceof Float32Array)) throw bad(`point "${p.id}" lacks vector "${name}"`);
      if (v.length !== spec.size) {
        throw new AppError(
          ErrorCode.DIMENSION_MISMATCH,
          `vector "${name}" of point "${p.id}" has ${v.length} dimensions; collection "${collection}" expects ${spec.size}`,
          { collection, vector: name, expected: spec.size, got: v.length },
        );
      }
      for (let i = 0; i < v.length; i++) {
        if (!Number.isFinite(v[i])) throw bad(`vector "${name}" of point "${p.id}" has a non-finite value`);
      }
    }
  }
}

function validateCondition(c: Condition): void {
  if (typeof c.key !== 'string' || c.key.length === 0) throw bad('filter condition needs a key');
  if ('match' in c) {
    const m = c.match;
    if (typeof m === 'number' && !Number.isInteger(m))
      throw bad(`match on "${c.key}" needs an integer, not ${m}`);
    if (!['string', 'number', 'boolean'].includes(typeof m)) throw bad(`bad match value for "${c.key}"`);
  } else if ('anyOf' in c) {
    const values = c.anyOf;
    if (!Array.isArray(values)) throw bad(`anyOf on "${c.key}" needs an array`);
    const allStrings = values.every((v) => typeof v === 'string');
    const allInts = values.every((v) => typeof v === 'number' && Number.isInteger(v));
    // Qdrant's MatchAny takes either strings or integers, never a mix.
    if (!allStrings && !allInts) throw bad(`anyOf on "${c.key}" needs all strings or all integers`);
  } else if ('range' in c) {
    const r = c.range;
    const bounds = [r.gt, r.gte, r.lt, r.lte].filter((b) => b !== undefined);
    if (bounds.length === 0) throw bad(`range on "${c.key}" needs a bound`);
    if (bounds.some((b) => typeof b !== 'number' || !Number.isFinite(b)))
      throw bad(`range on "${c.key}" needs finite numbers`);
  } else {
    throw bad('filter condition needs match, anyOf or range');
  }
}

export function validateFilter(filter: Filter | undefined): void {
  if (!filter) return;
  for (const c of filter.must ?? []) validateCondition(c);
  for (const c of filter.mustNot ?? []) validateCondition(c);
}

export function validateSearch(
  vectors: Record<string, VectorSpec>,
  collection: string,
  req: SearchRequest,
): void {
  const spec = vectors[req.using];
  if (!spec) throw bad(`collection "${collection}" has no vector named "${req.using}"`);
  if (!(req.vector instanceof Float32Array)) throw bad('query vector must be a Float32Array');
  if (req.vector.length !== spec.size) {
    throw new AppError(
      ErrorCode.DIMENSION_MISMATCH,
      `query for "${req.using}" has ${req.vector.length} dimensions; collection "${collection}" expects ${spec.size}`,
      { collection, vector: req.using, expected: spec.size, got: req.vector.length },
    );
  }
  for (let i = 0; i < req.vector.length; i++) {
    if (!Number.isFinite(req.vector[i])) throw bad('query vector has a non-finite value');
  }
  if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > 10_000)
    throw bad('limit must be an integer in 1..10000');
  const offset = req.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > 100_000)
    throw bad('offset must be an integer in 0..100000');
  if (req.scoreThreshold !== undefined && !Number.isFinite(req.scoreThreshold))
    throw bad('scoreThreshold must be finite');
  validateFilter(req.filter);
}

export function validateScroll(req: ScrollRequest): void {
  if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > 10_000)
    throw bad('limit must be an integer in 1..10000');
  validateFilter(req.filter);
}

/** Collections are ensured at startup, so a missing one means the deployment is misconfigured. */
export function missingCollection(collection: string): AppError {
  return new AppError(ErrorCode.STORE_MISCONFIGURED, `collection "${collection}" does not exist`, {
    collection,
  });
}

/** Ties broken by id ascending (UTF-16 code unit order, as JS `<`), so paging is stable on every backend. */
export function compareScored(a: { score: number; id: string }, b: { score: number; id: string }): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Collection metadata: a JSON object of at most 64 KiB whose keys do not start with `_` (reserved). */
export function validateMetadata(metadata: unknown): void {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
    throw bad('collection metadata must be an object');
  for (const key of Object.keys(metadata)) {
    if (key.startsWith('_')) throw bad(`collection metadata key "${key}" is reserved`);
  }
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch {
    throw bad('collection metadata must be JSON');
  }
  if (Buffer.byteLength(json) > 65536) throw bad('collection metadata is larger than 64 KiB');
}
