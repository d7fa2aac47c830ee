// One ONNX conversion per supported tfjs-layers class. Each takes the layer, its inputs as ONNX tensors
// and the Keras shapes of its outputs, emits nodes into the GraphBuilder and returns the output tensors.
// Feature maps (rank 4) run NCHW inside the graph; everything else keeps its Keras layout.
import { CxrkitError } from '@cxrkit/core';
import type { AttrValue, GraphBuilder } from './graph-builder.js';
import { findWeight, type LayerLike } from './layer-access.js';
import { onnxAxis, type TensorInfo } from './tensor-info.js';

export interface ConvertContext {
  g: GraphBuilder;
  layer: LayerLike;
  config: Record<string, unknown>;
  inputs: TensorInfo[];
  /** Keras shapes of the layer's outputs for this call. */
  outShapes: (readonly (number | null)[])[];
  /** Base for tensor/node names: the layer's path (`backbone/conv1`). */
  path: string;
}

type Converter = (ctx: ConvertContext) => TensorInfo[];

const IDENTITY_CLASSES = [
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
];

/** Clip(x, 0, max): ReLU6 and ReLU with `maxValue`. */
function clipZeroTo(g: GraphBuilder, x: string, max: number, path: string): string {
  return g.op(
    'Clip',
    [x, g.float(`${path}/min`, new Float32Array([0]), []), g.float(`${path}/max`, new Float32Array([max]), [])],
    path,
  );
}

/** tfjs activation name → ONNX nodes. `axis` is the ONNX axis of the Keras last axis (softmax). */
function applyActivation(
  g: GraphBuilder,
  x: string,
  activation: string,
  path: string,
  axis: number,
  layerName: string,
): string {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return g.op('Relu', [x], path);
    case 'relu6':
      return clipZeroTo(g, x, 6, path);
    case 'sigmoid':
      return g.op('Sigmoid', [x], path);
    case 'hardSigmoid':
      return g.op('HardSigmoid', [x], path, { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'tanh':
      return g.op('Tanh', [x], path);
    case 'softmax':
      return g.op('Softmax', [x], path, { axis: { int: axis } });
    case 'elu':
      return g.op('Elu', [x], path, { alpha: { float: 1 } });
    case 'selu':
      return g.op('Selu', [x], path, { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } });
    case 'softplus':
      return g.op('Softplus', [x], path);
    case 'softsign':
      return g.op('Softsign', [x], path);
    case 'swish':
      return g.op('Mul', [x, g.op('Sigmoid', [x], `${path}/sigmoid`)], path);
    case 'mish':
      return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], `${path}/softplus`)], `${path}/tanh`)], path);
    default:
      throw new CxrkitError(
        'ONNX_UNSUPPORTED_LAYER',
        `layer '${layerName}' uses activation '${activation}', which has no ONNX conversion`,
        {
          received: activation,
          fix: 'use one of linear, relu, relu6, sigmoid, hardSigmoid, tanh, softmax, elu, selu, softplus, softsign, swish, mish',
          pkg: 'onnx',
        },
      );
  }
}

function unsupportedConfig(ctx: ConvertContext, what: string, received: unknown, fix: string): never {
  throw new CxrkitError('ONNX_UNSUPPORTED_CONFIG', `layer '${ctx.path}' (${ctx.layer.getClassName()}): ${what}`, {
    received,
    fix,
    pkg: 'onnx',
  });
}

function requireChannelsLast(ctx: ConvertContext): void {
  const df = ctx.config['dataFormat'];
  if (df !== undefined && df !== 'channelsLast')
    unsupportedConfig(
      ctx,
      'only channelsLast data is supported',
      df,
      "build the model with dataFormat: 'channelsLast' (cxrkit's builders do)",
    );
}

function input4d(ctx: ConvertContext): TensorInfo {
  const x = ctx.inputs[0]!;
  if (x.layout !== 'nchw' || x.kerasShape.length !== 4)
    unsupportedConfig(ctx, 'expects a rank-4 image tensor', x.kerasShape, 'feed it a [batch, h, w, c] feature map');
  return x;
}

/** A Keras `axis` option that names one axis (a number or a one-element list; default −1); NaN for several. */
const singleAxis = (cfg: unknown): number =>
  Array.isArray(cfg) ? (cfg.length === 1 ? Number(cfg[0]) : NaN) : Number(cfg ?? -1);

const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];

/**
 * ONNX pads [top, left, bottom, right] for TF/Keras padding over the spatial dims of an NHWC shape, or
 * `undefined` when a spatial size is unknown (then SAME_UPPER, which is the same rule, is used).
 * 'same': total = max((ceil(n / s) − 1)·s + (k − 1)·d + 1 − n, 0); the odd pixel goes at the end.
 */
function spatialPads(
  ctx: ConvertContext,
  padding: unknown,
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number] = [1, 1],
): number[] | undefined {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same')
    unsupportedConfig(
      ctx,
      `padding '${String(padding)}' has no ONNX conversion`,
      padding,
      "use padding 'same' or 'valid'",
    );
  const shape = ctx.inputs[0]!.kerasShape;
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 2; i++) {
    const n = shape[1 + i];
    if (n === null || n === undefined) return undefined;
    const total = Math.max((Math.ceil(n / strides[i]!) - 1) * strides[i]! + (kernel[i]! - 1) * dilation[i]! + 1 - n, 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

/** An NCHW feature map back in Keras (NHWC) order, for layers that work on the channels-last layout. */
function toNhwc(ctx: ConvertContext, x: TensorInfo): TensorInfo {
  return {
    ...x,
    layout: 'plain',
    name: ctx.g.op('Transpose', [x.name], `${ctx.path}/to_nhwc`, { perm: { ints: [0, 2, 3, 1] } }),
  };
}

function padAttrs(pads: number[] | undefined): Record<string, { ints: number[] } | { string: string }> {
  return pads ? { pads: { ints: pads } } : { auto_pad: { string: 'SAME_UPPER' } };
}

function weightData(ctx: ConvertContext, short: string, required: true): { data: Float32Array; shape: number[] };
function weightData(
  ctx: ConvertContext,
  short: string,
  required: false,
): { data: Float32Array; shape: number[] } | undefined;
function weightData(
  ctx: ConvertContext,
  short: string,
  required: boolean,
): { data: Float32Array; shape: number[] } | undefined {
  const w = findWeight(ctx.layer, short);
  if (!w) {
    if (!required) return undefined;
    throw new CxrkitError('ONNX_MISSING_WEIGHT', `layer '${ctx.path}' has no '${short}' weight`, {
      received: ctx.layer.weights.map((x) => x.originalName ?? x.name),
      fix: 'build the model (call it once or give its input shape) before exporting',
      pkg: 'onnx',
    });
  }
  const t = w.read();
  if (t.dtype !== 'float32') unsupportedConfig(ctx, `weight '${short}' is ${t.dtype}`, t.dtype, 'use float32 weights');
  return { data: t.dataSync() as Float32Array, shape: [...t.shape] };
}

const conv2d: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const x = input4d(ctx);
  const { g, config, path } = ctx;
  const kernel = pair(config['kernelSize']);
  const strides = pair(config['strides'] ?? 1);
  const dilation = pair(config['dilationRate'] ?? 1);
  if ((strides[0] > 1 || strides[1] > 1) && (dilation[0] > 1 || dilation[1] > 1))
    unsupportedConfig(
      ctx,
      'strides and dilation both > 1',
      { strides, dilation },
      'Keras itself rejects this; use one of them',
    );
  const k = weightData(ctx, 'kernel', true);
  const [kh, kw, cin, cout] = k.shape as [number, number, number, number];
  // Keras kernel [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw].
  const w = new Float32Array(k.data.length);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++)
          w[((o * cin + c) * kh + a) * kw + b] = k.data[((a * kw + b) * cin + c) * cout + o]!;
  const inputs = [x.name, g.float(`${path}/kernel`, w, [cout, cin, kh, kw])];
  if (config['useBias'] !== false) {
    const b = weightData(ctx, 'bias', true);
    inputs.push(g.float(`${path}/bias`, b.data, [cout]));
  }
  const act = String(config['activation'] ?? 'linear');
  let y = g.op('Conv', inputs, act === 'linear' ? path : `${path}/conv`, {
    kernel_shape: { ints: kernel },
    strides: { ints: strides },
    dilations: { ints: dilation },
    group: { int: 1 },
    ...padAttrs(spatialPads(ctx, config['padding'], kernel, strides, dilation)),
  });
  y = applyActivation(g, y, act, path, 1, ctx.path);
  return [{ name: y, layout: 'nchw', kerasShape: ctx.outShapes[0]! }];
};

const batchNorm: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  const { g, config, path } = ctx;
  const rank = x.kerasShape.length;
  const axisCfg = config['axis'];
  const axis = singleAxis(axisCfg);
  const a = axis < 0 ? axis + rank : axis;
  if (a !== rank - 1 || rank < 2)
    unsupportedConfig(
      ctx,
      `normalises axis ${String(axisCfg)} of a rank-${rank} tensor; only the channel (last) axis is supported`,
      axisCfg,
      'use axis: -1 (the Keras default)',
    );
  const mean = weightData(ctx, 'moving_mean', true);
  const variance = weightData(ctx, 'moving_variance', true);
  const c = mean.data.length;
  // scale: false ⇒ gamma = 1; center: false ⇒ beta = 0 (Keras semantics).
  const gamma = config['scale'] === false ? undefined : weightData(ctx, 'gamma', true);
  const beta = config['center'] === false ? undefined : weightData(ctx, 'beta', true);
  let y: string;
  const bnInputs = [
    x.name,
    g.float(`${path}/gamma`, gamma?.data ?? new Float32Array(c).fill(1), [c]),
    g.float(`${path}/beta`, beta?.data ?? new Float32Array(c), [c]),
    g.float(`${path}/moving_mean`, mean.data, [c]),
    g.float(`${path}/moving_variance`, variance.data, [c]),
  ];
  const epsilon = Number(config['epsilon'] ?? 1e-3);
  if (x.layout === 'nchw' || rank === 2) {
    y = g.op('BatchNormalization', bnInputs, path, { epsilon: { float: epsilon } });
  } else {
    // Rank 3 / 5 plain tensors: channels-last; ONNX wants channels at axis 1 → transpose around it.
    const perm = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
    const inv = perm.map((_, i) => perm.indexOf(i));
    const t = g.op('Transpose', [x.name], `${path}/to_cf`, { perm: { ints: perm } });
    bnInputs[0] = t;
    const bn = g.op('BatchNormalization', bnInputs, `${path}/bn`, { epsilon: { float: epsilon } });
    y = g.op('Transpose', [bn], path, { perm: { ints: inv } });
  }
  return [{ name: y, layout: x.layout, kerasShape: ctx.outShapes[0]! }];
};

const dense: Converter = (ctx) => {
  const { g, config, path } = ctx;
  let x = ctx.inputs[0]!;
  const k = weightData(ctx, 'kernel', true);
  const [nin, nout] = k.shape as [number, number];
  const w = g.float(`${path}/kernel`, k.data, [nin, nout]);
  const b =
    config['useBias'] !== false ? g.float(`${path}/bias`, weightData(ctx, 'bias', true).data, [nout]) : undefined;
  const act = String(config['activation'] ?? 'linear');
  const pre = act === 'linear' ? path : `${path}/dense`;
  let y: string;
  const rank = x.kerasShape.length;
  if (rank === 2) {
    y = g.op('Gemm', b ? [x.name, w, b] : [x.name, w], pre);
  } else {
    if (x.layout === 'nchw') x = toNhwc(ctx, x);
    y = g.op('MatMul', [x.name, w], b ? `${path}/matmul` : pre);
    if (b) y = g.op('Add', [y, b], pre);
  }
  y = applyActivation(g, y, act, path, -1, ctx.path);
  const outRank = ctx.outShapes[0]!.length;
  if (outRank === 4) y = g.op('Transpose', [y], `${path}/to_nchw`, { perm: { ints: [0, 3, 1, 2] } });
  return [{ name: y, layout: outRank === 4 ? 'nchw' : 'plain', kerasShape: ctx.outShapes[0]! }];
};

const activationLayer: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  const y = applyActivation(
    ctx.g,
    x.name,
    String(ctx.config['activation']),
    ctx.path,
    onnxAxis(-1, x.kerasShape.length, x.layout),
    ctx.path,
  );
  return [{ ...x, name: y === x.name ? ctx.g.op('Identity', [x.name], ctx.path) : y, kerasShape: ctx.outShapes[0]! }];
};

const reluLayer: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  const max = ctx.config['maxValue'];
  const { g, path } = ctx;
  const y = max === null || max === undefined ? g.op('Relu', [x.name], path) : clipZeroTo(g, x.name, Number(max), path);
  return [{ ...x, name: y, kerasShape: ctx.outShapes[0]! }];
};

const leakyRelu: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  return [
    {
      ...x,
      name: ctx.g.op('LeakyRelu', [x.name], ctx.path, { alpha: { float: Number(ctx.config['alpha'] ?? 0.3) } }),
      kerasShape: ctx.outShapes[0]!,
    },
  ];
};

const eluLayer: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  return [
    {
      ...x,
      name: ctx.g.op('Elu', [x.name], ctx.path, { alpha: { float: Number(ctx.config['alpha'] ?? 1) } }),
      kerasShape: ctx.outShapes[0]!,
    },
  ];
};

const softmaxLayer: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  const axisCfg = ctx.config['axis'];
  const axis = singleAxis(axisCfg);
  if (!Number.isInteger(axis)) unsupportedConfig(ctx, 'softmax over several axes', axisCfg, 'use a single axis');
  const y = ctx.g.op('Softmax', [x.name], ctx.path, { axis: { int: onnxAxis(axis, x.kerasShape.length, x.layout) } });
  return [{ ...x, name: y, kerasShape: ctx.outShapes[0]! }];
};

function pooling(op: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx) => {
    requireChannelsLast(ctx);
    const x = input4d(ctx);
    const { config } = ctx;
    const kernel = pair(config['poolSize']);
    const strides = pair(config['strides'] ?? config['poolSize']);
    // TF/Keras 'same' average pooling divides by the number of real (unpadded) pixels → count_include_pad 0.
    const extra: Record<string, AttrValue> = op === 'AveragePool' ? { count_include_pad: { int: 0 } } : {};
    const y = ctx.g.op(op, [x.name], ctx.path, {
      kernel_shape: { ints: kernel },
      strides: { ints: strides },
      ...padAttrs(spatialPads(ctx, config['padding'], kernel, strides)),
      ...extra,
    });
    return [{ name: y, layout: 'nchw', kerasShape: ctx.outShapes[0]! }];
  };
}

function globalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter {
  return (ctx) => {
    requireChannelsLast(ctx);
    const x = input4d(ctx);
    const pooled = ctx.g.op(op, [x.name], `${ctx.path}/pool`);
    const keep = ctx.outShapes[0]!.length === 4;
    const y = keep
      ? ctx.g.op('Identity', [pooled], ctx.path)
      : ctx.g.op('Flatten', [pooled], ctx.path, { axis: { int: 1 } });
    return [{ name: y, layout: keep ? 'nchw' : 'plain', kerasShape: ctx.outShapes[0]! }];
  };
}

const zeroPadding: Converter = (ctx) => {
  requireChannelsLast(ctx);
  const x = input4d(ctx);
  const p = ctx.config['padding'] as unknown;
  const [[top, bottom], [left, right]] =
    Array.isArray(p) && Array.isArray(p[0])
      ? (p as [[number, number], [number, number]])
      : [pair(p), pair(Array.isArray(p) ? p[1] : p)];
  const pads = ctx.g.int64(`${ctx.path}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  const y = ctx.g.op('Pad', [x.name, pads], ctx.path, { mode: { string: 'constant' } });
  return [{ name: y, layout: 'nchw', kerasShape: ctx.outShapes[0]! }];
};

const concatenate: Converter = (ctx) => {
  const layouts = new Set(ctx.inputs.map((i) => i.layout));
  if (layouts.size !== 1)
    unsupportedConfig(
      ctx,
      'inputs of different ranks',
      ctx.inputs.map((i) => i.kerasShape),
      'flatten or pool feature maps before concatenating them with vectors',
    );
  const x = ctx.inputs[0]!;
  const axis = onnxAxis(Number(ctx.config['axis'] ?? -1), x.kerasShape.length, x.layout);
  const y = ctx.g.op(
    'Concat',
    ctx.inputs.map((i) => i.name),
    ctx.path,
    { axis: { int: axis } },
  );
  return [{ name: y, layout: x.layout, kerasShape: ctx.outShapes[0]! }];
};

function merge(binary: string, nary?: string): Converter {
  return (ctx) => {
    const layouts = new Set(ctx.inputs.map((i) => i.layout));
    const ranks = new Set(ctx.inputs.map((i) => i.kerasShape.length));
    if (layouts.size !== 1 || ranks.size !== 1)
      unsupportedConfig(
        ctx,
        'inputs of different ranks',
        ctx.inputs.map((i) => i.kerasShape),
        'give every input the same shape',
      );
    const names = ctx.inputs.map((i) => i.name);
    let y: string;
    if (nary && names.length > 2) y = ctx.g.op(nary, names, ctx.path);
    else {
      y = names[0]!;
      for (let i = 1; i < names.length; i++)
        y = ctx.g.op(binary, [y, names[i]!], i === names.length - 1 ? ctx.path : `${ctx.path}/${i}`);
    }
    return [{ name: y, layout: ctx.inputs[0]!.layout, kerasShape: ctx.outShapes[0]! }];
  };
}

const average: Converter = (ctx) => {
  const y = ctx.g.op(
    'Mean',
    ctx.inputs.map((i) => i.name),
    ctx.path,
  );
  return [{ name: y, layout: ctx.inputs[0]!.layout, kerasShape: ctx.outShapes[0]! }];
};

const flatten: Converter = (ctx) => {
  let x = ctx.inputs[0]!;
  // Keras flattens in channels-last order: go back to NHWC first.
  if (x.layout === 'nchw') x = toNhwc(ctx, x);
  const y = ctx.g.op('Flatten', [x.name], ctx.path, { axis: { int: 1 } });
  return [{ name: y, layout: 'plain', kerasShape: ctx.outShapes[0]! }];
};

const identity: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  return [{ ...x, name: ctx.g.op('Identity', [x.name], ctx.path), kerasShape: ctx.outShapes[0]! }];
};

const rescaling: Converter = (ctx) => {
  const x = ctx.inputs[0]!;
  const { g, path } = ctx;
  const scale = Number(ctx.config['scale']);
  const offset = Number(ctx.config['offset'] ?? 0);
  let y = g.op(
    'Mul',
    [x.name, g.float(`${path}/scale`, new Float32Array([scale]), [])],
    offset === 0 ? path : `${path}/mul`,
  );
  if (offset !== 0) y = g.op('Add', [y, g.float(`${path}/offset`, new Float32Array([offset]), [])], path);
  return [{ ...x, name: y, kerasShape: ctx.outShapes[0]! }];
};

/** Keras class name → conversion. Anything else is refused with ONNX_UNSUPPORTED_LAYER. */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Conv2D: conv2d,
  BatchNormalization: batchNorm,
  Dense: dense,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  ELU: eluLayer,
  Softmax: softmaxLayer,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  GlobalAveragePooling2D: globalPooling('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPooling('GlobalMaxPool'),
  ZeroPadding2D: zeroPadding,
  Concatenate: concatenate,
  Add: merge('Add', 'Sum'),
  Multiply: merge('Mul'),
  Maximum: merge('Max', 'Max'),
  Minimum: merge('Min', 'Min'),
  Average: average,
  Flatten: flatten,
  Rescaling: rescaling,
  ...Object.fromEntries(IDENTITY_CLASSES.map((c) => [c, identity])),
};

/** Keras class names the exporter converts (besides InputLayer and nested models). */
export const SUPPORTED_LAYERS: readonly string[] = Object.keys(CONVERTERS).sort();
