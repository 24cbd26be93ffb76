import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseExportedLiteral, type JsValue } from './js-literal.js';

/** The pretrained models nsfwjs bundles as JS-wrapped TF.js artifacts. */
export const NSFWJS_MODELS = ['inception_v3', 'mobilenet_v2', 'mobilenet_v2_mid'] as const;
export type NsfwjsModel = (typeof NSFWJS_MODELS)[number];

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number };
}

export interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface TfjsArtifacts {
  /** 'layers-model' = Keras topology (convertible here); 'graph-model' = TF GraphDef (not). */
  format: 'layers-model' | 'graph-model';
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  /** All shards concatenated, still quantized: lets a TF.js reference dequantize independently. */
  weightData: ArrayBuffer;
  weights: Map<string, Weight>;
}

/** Directory holding nsfwjs's `model.min.js` + shards for `model`. */
export function nsfwjsModelDir(model: NsfwjsModel): string {
  // The package's exports map hides package.json, so locate dist/ from the entry point.
  const entry = createRequire(import.meta.url).resolve('nsfwjs');
  return path.join(path.dirname(entry), '..', 'models', model);
}

/** Reads nsfwjs's model files without executing them and dequantizes every weight to float32. */
export async function loadNsfwjsArtifacts(
  model: NsfwjsModel,
  dir = nsfwjsModelDir(model),
): Promise<TfjsArtifacts> {
  const modelSrc = await readFile(path.join(dir, 'model.min.js'), 'utf8');
  const root = asObject(parseExportedLiteral(modelSrc, '{', `${model}/model.min.js`), 'model.json');
  const modelTopology = asObject(root.modelTopology, 'modelTopology');
  const manifest = root.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${model}: weightsManifest missing`);

  const weightSpecs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of manifest) {
    const g = asObject(group, 'weightsManifest group');
    for (const p of asArray(g.paths, 'paths')) {
      const shard = asString(p, 'shard path');
      const shardSrc = await readFile(path.join(dir, `${shard}.min.js`), 'utf8');
      const b64 = parseExportedLiteral(shardSrc, '"', `${model}/${shard}`);
      if (typeof b64 !== 'string') throw new Error(`${model}/${shard}: shard is not a base64 string`);
      chunks.push(new Uint8Array(Buffer.from(b64, 'base64')));
    }
    for (const w of asArray(g.weights, 'weights')) weightSpecs.push(toWeightSpec(w));
  }
  const weightData = concat(chunks);
  const isKeras =
    typeof modelTopology.model_config === 'object' || typeof modelTopology.class_name === 'string';
  return {
    format: isKeras ? 'layers-model' : 'graph-model',
    modelTopology,
    weightSpecs,
    weightData,
    weights: decodeWeights(weightSpecs, weightData),
  };
}

/** Mirrors tfjs-core io_utils.decodeWeight: value = q * scale + min (computed in double, stored as float32). */
export function decodeWeights(specs: WeightSpec[], buffer: ArrayBuffer): Map<string, Weight> {
  const out = new Map<string, Weight>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    let data: Float32Array;
    let bytes: number;
    if (!q) {
      if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
      bytes = size * 4;
      data = new Float32Array(buffer.slice(offset, offset + bytes));
    } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      if (q.min === undefined || q.scale === undefined)
        throw new Error(`weight ${spec.name}: quantization lacks min/scale`);
      bytes = size * (q.dtype === 'uint8' ? 1 : 2);
      const slice = buffer.slice(offset, offset + bytes);
      const raw = q.dtype === 'uint8' ? new Uint8Array(slice) : new Uint16Array(slice);
      data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = raw[i]! * q.scale + q.min;
    } else {
      throw new Error(`weight ${spec.name}: ${q.dtype} quantization is not supported`);
    }
    if (offset + bytes > buffer.byteLength)
      throw new Error(`weight ${spec.name}: shards end before its data`);
    out.set(spec.name, { shape: spec.shape, data });
    offset += bytes;
  }
  if (offset !== buffer.byteLength)
    throw new Error(`weights use ${offset} of ${buffer.byteLength} shard bytes`);
  return out;
}

function toWeightSpec(v: JsValue): WeightSpec {
  const o = asObject(v, 'weight spec');
  const spec: WeightSpec = {
    name: asString(o.name, 'weight name'),
    shape: asArray(o.shape, 'shape').map(Number),
    dtype: o.dtype === 'int32' ? 'int32' : 'float32',
  };
  if (o.quantization !== undefined) {
    const q = asObject(o.quantization, 'quantization');
    spec.quantization = {
      dtype: q.dtype as 'uint8' | 'uint16' | 'float16',
      ...(typeof q.min === 'number' ? { min: q.min } : {}),
      ...(typeof q.scale === 'number' ? { scale: q.scale } : {}),
    };
  }
  return spec;
}

function concat(chunks: Uint8Array[]): ArrayBuffer {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

function asString(v: JsValue | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string`);
  return v;
}

function asObject(v: unknown, what: string): Record<string, JsValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: expected an object`);
  return v as Record<string, JsValue>;
}

function asArray(v: JsValue | undefined, what: string): JsValue[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array`);
  return v;
}
