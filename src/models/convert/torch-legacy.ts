/**
 * Reads a PyTorch checkpoint in the legacy (pre-1.6, non-zip) serialisation: five pickles back to back
 * (magic number, protocol 1001, system info, the state_dict, the storage keys) followed, in key order, by
 * each storage as an int64 element count and raw little-endian data. Tensors are views into storages
 * (offset, size, stride), often non-contiguous; they are returned as contiguous row-major copies.
 *
 * The pickle interpreter below knows only the opcodes and globals a state_dict uses; anything else is an
 * error, so no code from the file is ever run.
 */

export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

interface StorageRef {
  kind: 'storage';
  dtype: 'float32' | 'int64';
  key: string;
  numel: number;
}
interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}
type Global = { kind: 'global'; name: string };
type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyValue[]
  | Map<PyValue, PyValue>
  | StorageRef
  | TensorRef
  | Global
  | { kind: 'mark' };

const MARK = { kind: 'mark' } as const;
const GLOBALS = new Set([
  'collections OrderedDict',
  'torch._utils _rebuild_tensor_v2',
  'torch FloatStorage',
  'torch LongStorage',
]);

export function readLegacyTorchCheckpoint(bytes: Uint8Array): Map<string, TorchTensor> {
  const reader = new PickleReader(bytes);
  const magic = reader.load();
  if (magic !== LEGACY_MAGIC) throw new Error('not a legacy PyTorch checkpoint (bad magic number)');
  const protocol = reader.load();
  if (protocol !== 1001) throw new Error('unsupported PyTorch serialisation protocol');
  const sysInfo = reader.load();
  if (!(sysInfo instanceof Map) || sysInfo.get('little_endian') !== true) {
    throw new Error('checkpoint was not written on a little-endian machine');
  }
  const stateDict = reader.load();
  const keys = reader.load();
  if (!(stateDict instanceof Map) || !Array.isArray(keys)) throw new Error('checkpoint holds no state_dict');

  const tensors = [...stateDict].map(([name, value]) => {
    if (typeof name !== 'string' || !isTensorRef(value))
      throw new Error('state_dict holds a non-tensor entry');
    return [name, value] as const;
  });
  // The raw section does not repeat element sizes: take each storage's dtype from the tensors using it.
  const dtypes = new Map(tensors.map(([, t]) => [t.storage.key, t.storage.dtype]));
  const storages = readStorages(bytes, reader.position, keys as string[], dtypes);
  const out = new Map<string, TorchTensor>();
  for (const [name, value] of tensors) {
    if (value.storage.dtype !== 'float32') continue; // num_batches_tracked counters
    const storage = storages.get(value.storage.key);
    if (!storage) throw new Error(`${name}: storage ${value.storage.key} missing`);
    out.set(name, { shape: value.size, data: gatherStrided(storage, value) });
  }
  return out;
}

function readStorages(
  bytes: Uint8Array,
  start: number,
  keys: string[],
  dtypes: Map<string, StorageRef['dtype']>,
): Map<string, Float32Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storages = new Map<string, Float32Array>();
  let at = start;
  for (const key of keys) {
    const numel = Number(view.getBigInt64(at, true));
    at += 8;
    const dtype = dtypes.get(key);
    if (!dtype) throw new Error(`storage ${key} is used by no tensor`);
    const size = dtype === 'float32' ? 4 : 8;
    if (dtype === 'float32') {
      const copy = new Float32Array(numel);
      for (let i = 0; i < numel; i++) copy[i] = view.getFloat32(at + i * 4, true);
      storages.set(key, copy);
    }
    at += numel * size;
  }
  if (at !== bytes.byteLength) throw new Error(`checkpoint has ${bytes.byteLength - at} trailing bytes`);
  return storages;
}

function gatherStrided(storage: Float32Array, t: TensorRef): Float32Array {
  const n = t.size.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const rank = t.size.length;
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let src = t.offset;
    for (let d = 0; d < rank; d++) src += index[d]! * t.stride[d]!;
    if (src >= storage.length) throw new Error('tensor view reaches past its storage');
    out[i] = storage[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < t.size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

function isTensorRef(v: PyValue): v is TensorRef {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'tensor'
  );
}

class PickleReader {
  private pos = 0;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.pos;
  }

  /** Runs one pickle up to its STOP and returns its value. */
  load(): PyValue {
    const stack: PyValue[] = [];
    const memo = new Map<number, PyValue>();
    const popMark = (): PyValue[] => {
      const at = stack.lastIndexOf(MARK);
      if (at < 0) throw new Error('pickle: MARK missing');
      return stack.splice(at).slice(1);
    };
    const top = () => stack[stack.length - 1]!;
    for (;;) {
      const op = this.u8();
      switch (op) {
        case 0x80: // PROTO
          this.u8();
          break;
        case 0x2e: // STOP
          return stack.pop()!;
        case 0x28: // MARK
          stack.push(MARK);
          break;
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          stack.push(op === 0x88);
          break;
        case 0x4b: // BININT1
          stack.push(this.u8());
          break;
        case 0x4d: // BININT2
          stack.push(this.view.getUint16(this.advance(2), true));
          break;
        case 0x4a: // BININT
          stack.push(this.view.getInt32(this.advance(4), true));
          break;
        case 0x8a: // LONG1
          stack.push(this.long(this.u8()));
          break;
        case 0x58: {
          // BINUNICODE
          const n = this.view.getUint32(this.advance(4), true);
          stack.push(this.decoder.decode(this.bytes.subarray(this.pos, this.advance(n) + n)));
          break;
        }
        case 0x29: // EMPTY_TUPLE
        case 0x5d: // EMPTY_LIST
          stack.push([]);
          break;
        case 0x7d: // EMPTY_DICT
          stack.push(new Map());
          break;
        case 0x74: // TUPLE
          stack.push(popMark());
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: // TUPLE3
          stack.push(stack.splice(stack.length - (op - 0x84)));
          break;
        case 0x65: // APPENDS
        case 0x61: {
          // APPEND
          const items = op === 0x65 ? popMark() : [stack.pop()!];
          (top() as PyValue[]).push(...items);
          break;
        }
        case 0x73: // SETITEM
        case 0x75: {
          // SETITEMS
          const items = op === 0x75 ? popMark() : stack.splice(stack.length - 2);
          const dict = top() as Map<PyValue, PyValue>;
          for (let i = 0; i < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
          break;
        }
        case 0x71: // BINPUT
          memo.set(this.u8(), top());
          break;
        case 0x72: // LONG_BINPUT
          memo.set(this.view.getUint32(this.advance(4), true), top());
          break;
        case 0x68: // BINGET
        case 0x6a: {
          // LONG_BINGET
          const key = op === 0x68 ? this.u8() : this.view.getUint32(this.advance(4), true);
          if (!memo.has(key)) throw new Error(`pickle: memo ${key} missing`);
          stack.push(memo.get(key)!);
          break;
        }
        case 0x63: {
          // GLOBAL
          const name = `${this.line()} ${this.line()}`;
          if (!GLOBALS.has(name)) throw new Error(`pickle: global ${name} is not allowed`);
          stack.push({ kind: 'global', name });
          break;
        }
        case 0x51: // BINPERSID
          stack.push(persistent(stack.pop()!));
          break;
        case 0x52: {
          // REDUCE
          const args = stack.pop() as PyValue[];
          stack.push(reduce(stack.pop() as Global, args));
          break;
        }
        case 0x62: // BUILD: state for an OrderedDict (its attributes) carries nothing a state_dict needs
          stack.pop();
          break;
        default:
          throw new Error(`pickle: unsupported opcode 0x${op.toString(16)} at byte ${this.pos - 1}`);
      }
    }
  }

  private u8(): number {
    if (this.pos >= this.bytes.length) throw new Error('pickle: unexpected end of data');
    return this.bytes[this.pos++]!;
  }

  /** Moves past n bytes, returning where they start. */
  private advance(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw new Error('pickle: unexpected end of data');
    this.pos += n;
    return at;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new Error('pickle: unterminated line');
    const s = this.decoder.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** Little-endian two's-complement integer of n bytes. */
  private long(n: number): bigint {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[this.pos + i]!);
    if (n > 0 && this.bytes[this.pos + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    this.pos += n;
    return v;
  }
}

function persistent(pid: PyValue): StorageRef {
  const [tag, cls, key, , numel] = pid as [string, Global, string, string, number];
  if (tag !== 'storage') throw new Error(`pickle: persistent id ${String(tag)}`);
  const dtype = cls.name === 'torch FloatStorage' ? 'float32' : 'int64';
  return { kind: 'storage', dtype, key, numel };
}

function reduce(fn: Global, args: PyValue[]): PyValue {
  if (fn.name === 'collections OrderedDict') return new Map();
  if (fn.name === 'torch._utils _rebuild_tensor_v2') {
    const [storage, offset, size, stride] = args as [StorageRef, number, number[], number[]];
    return { kind: 'tensor', storage, offset, size, stride };
  }
  throw new Error(`pickle: cannot call ${fn.name}`);
}
