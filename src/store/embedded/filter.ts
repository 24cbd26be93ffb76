import type { Condition, Filter, JsonValue, Payload } from '../vector-store.js';

/**
 * Payload filters evaluated in memory, with Qdrant's semantics so both backends agree:
 * - a key may be a dotted path into nested objects;
 * - an array value matches when any element matches;
 * - a missing field fails every condition, so `mustNot` keeps points that lack the field.
 */

export type Predicate = (payload: Payload) => boolean;

function lookup(payload: Payload, key: string): JsonValue | undefined {
  if (key in payload) return payload[key];
  let cur: JsonValue | undefined = payload;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function anyValue(v: JsonValue | undefined, test: (x: JsonValue) => boolean): boolean {
  if (v === undefined) return false;
  return Array.isArray(v) ? v.some(test) : test(v);
}

function conditionTest(c: Condition): Predicate {
  if ('match' in c) {
    const m = c.match;
    return (p) => anyValue(lookup(p, c.key), (x) => x === m);
  }
  if ('anyOf' in c) {
    const set = new Set<JsonValue>(c.anyOf);
    return (p) => anyValue(lookup(p, c.key), (x) => set.has(x));
  }
  const { gt, gte, lt, lte } = c.range;
  const inRange = (x: JsonValue): boolean =>
    typeof x === 'number' &&
    (gt === undefined || x > gt) &&
    (gte === undefined || x >= gte) &&
    (lt === undefined || x < lt) &&
    (lte === undefined || x <= lte);
  return (p) => anyValue(lookup(p, c.key), inRange);
}

/** Undefined when the filter lets everything through, so callers can skip evaluation. */
export function compileFilter(filter: Filter | undefined): Predicate | undefined {
  const must = (filter?.must ?? []).map(conditionTest);
  const mustNot = (filter?.mustNot ?? []).map(conditionTest);
  if (must.length === 0 && mustNot.length === 0) return undefined;
  return (p) => must.every((t) => t(p)) && !mustNot.some((t) => t(p));
}
