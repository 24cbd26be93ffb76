import { AttributeType, ModelProto, TensorDataType } from './onnx-proto.js';

/** Shape dims: a number, or a string for a symbolic dim such as 'batch'. */
export type Dim = number | string;
/** A plain number is an INT when integral, else a FLOAT; use { float } for an integral float (alpha = 1). */
export type AttrValue = number | string | number[] | { float: number } | { floats: number[] } | Float32Array;

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array;
}

/**
 * Builds an ONNX ModelProto in memory: float32 initializers, nodes in topological order, one opset.
 * Used by the Keras→ONNX converter and by the projection-head exporter.
 */
export class OnnxGraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: { name: string; dims: Dim[] }[] = [];
  private readonly outputs: { name: string; dims: Dim[] }[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  constructor(
    readonly graphName: string,
    readonly opset = 17,
  ) {}

  /** A fresh, unique tensor/node name derived from `hint`. */
  uniqueName(hint: string): string {
    let name = hint;
    while (this.usedNames.has(name)) name = `${hint}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  addInput(name: string, dims: Dim[]): string {
    this.usedNames.add(name);
    this.inputs.push({ name, dims });
    return name;
  }

  addOutput(name: string, dims: Dim[]): void {
    this.outputs.push({ name, dims });
  }

  /** A float32 constant tensor. */
  addFloatInitializer(hint: string, data: Float32Array, dims: number[]): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length)
      throw new Error(`initializer ${hint}: ${data.length} values for dims ${dims.join('x')}`);
    const name = this.uniqueName(hint);
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dims, dataType: TensorDataType.FLOAT, raw });
    return name;
  }

  /** An int64 constant tensor (shapes, axes). */
  addInt64Initializer(hint: string, values: number[]): string {
    const name = this.uniqueName(hint);
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: TensorDataType.INT64,
      raw: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** Adds a node and returns its (first) output name. */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    hint = op,
    outputCount = 1,
  ): string {
    return this.nodeOutputs(op, inputs, attrs, hint, outputCount)[0]!;
  }

  /** Adds a node with several outputs (TopK: values, indices) and returns all their names. */
  nodeOutputs(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue>,
    hint: string,
    outputCount: number,
  ): string[] {
    const name = this.uniqueName(hint);
    const outputs = Array.from({ length: outputCount }, (_, i) =>
      i === 0 ? name : this.uniqueName(`${name}_out${i}`),
    );
    this.nodes.push({ op, inputs, outputs, name, attrs });
    return outputs;
  }

  toBytes(metadata: Record<string, string> = {}, producer = 'visem'): Uint8Array {
    const valueInfo = (v: { name: string; dims: Dim[] }) => ({
      name: v.name,
      type: {
        tensor_type: {
          elem_type: TensorDataType.FLOAT,
          shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
        },
      },
    });
    const model = {
      ir_version: 8,
      producer_name: producer,
      producer_version: '1',
      opset_import: [{ domain: '', version: this.opset }],
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes.map((n) => ({
          input: n.inputs,
          output: n.outputs,
          name: n.name,
          op_type: n.op,
          attribute: Object.entries(n.attrs).map(([key, value]) => encodeAttribute(key, value)),
        })),
        initializer: this.initializers.map((t) => ({
          name: t.name,
          dims: t.dims,
          data_type: t.dataType,
          raw_data: t.raw,
        })),
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

function encodeAttribute(name: string, value: AttrValue): Record<string, unknown> {
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: AttributeType.INT, i: value }
      : { name, type: AttributeType.FLOAT, f: value };
  }
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (value instanceof Float32Array) return { name, type: AttributeType.FLOATS, floats: Array.from(value) };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.FLOAT, f: value.float };
}
