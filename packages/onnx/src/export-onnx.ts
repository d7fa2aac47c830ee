// exportOnnx: walks a tfjs-layers model (functional, sequential, nested) with cxrkit's one layer-graph
// walker (walkGraph of @cxrkit/tfjs-ext: tfjs-layers' own execution order) and writes an ONNX ModelProto.
import type * as tfl from '@tensorflow/tfjs-layers';
import { CxrkitError, describeValue } from '@cxrkit/core';
import { walkGraph } from '@cxrkit/tfjs-ext/base';
import {
  cardOnnxMetadata,
  checkCardMatchesModel,
  parseModelCard,
  type ModelCard,
  type ModelCardInput,
} from '@cxrkit/models/card';
import { CONVERTERS, SUPPORTED_LAYERS } from './convert-layers.js';
import { GraphBuilder } from './graph-builder.js';
import { isModel, type LayerLike, type ModelLike } from './layer-access.js';
import { encodeModel, IR_VERSION, TensorDataType } from './proto.js';
import type { TensorInfo } from './tensor-info.js';
import { CXRKIT_VERSION } from './version.js';

/** Opsets the exporter writes (the ops it emits mean the same in all of them). */
export const SUPPORTED_OPSETS: readonly number[] = [13, 14, 15, 16, 17];

export interface ExportOnnxOptions {
  /** Recorded as the graph name and in metadata (`cxrkit.model_name`). Default: the tfjs model's name. */
  modelName?: string;
  /**
   * How images must be prepared before they reach the model, recorded in metadata
   * (`cxrkit.preprocessing`, JSON), e.g. `{ clipPercent: 0.5, resize: 'bicubic', size: 512, normalize: 'zscore' }`
   * (THESIS.md, parts 1 and 2). Default: derived from `card`, else the string "unspecified".
   * @deprecated pass `card`: it records the preprocessing with everything else a deployment needs.
   */
  preprocessing?: string | Record<string, unknown>;
  /**
   * The model card, embedded as metadata `cxrkit.card` (JSON; `readOnnxInfo(bytes).card` reads it back)
   * with `cxrkit.preprocessing` derived from it for older readers. Checked against the model first.
   */
  card?: ModelCard | ModelCardInput;
  /** ONNX opset, 13–17. Default 13 (widest runtime support: onnxruntime ≥ 1.7, onnxruntime-web). */
  opset?: number;
  /** Extra metadata_props (string values). */
  metadata?: Record<string, string>;
}

/**
 * Exports a tfjs-layers model built by cxrkit (any registered backbone at any input size, the screening
 * head, fusion models with named extra inputs; regression/binary/multiclass outputs) to ONNX bytes.
 *
 * The ONNX graph takes the same inputs as the tfjs model — images `[batch, h, w, c]` NHWC float32 under
 * the tfjs input names (`model.inputNames`), extra inputs such as age/sex `[batch, k]` — and gives the
 * same outputs under `model.outputNames`. Inside, feature maps run NCHW (one Transpose at each image
 * input). The batch dimension is dynamic. Nested models (a backbone used as a layer) are flattened.
 * BatchNormalization is written as BatchNormalization nodes (onnxruntime folds them into the convs at load).
 *
 * With `options.card`, the file carries the model card (metadata `cxrkit.card`), so the browser or a
 * service on onnxruntime needs nothing else to prepare the inputs.
 *
 * @throws CxrkitError `ONNX_UNSUPPORTED_LAYER` naming the first layer (path and class) that has no exact
 *   conversion, `ONNX_UNSUPPORTED_CONFIG` for a supported layer used in an unsupported way (e.g.
 *   channelsFirst), `ONNX_BAD_OPTION` for a bad option, `ONNX_NOT_A_MODEL` when `model` is not a tfjs model,
 *   the card's errors (`CARD_*`, `CARD_MODEL_MISMATCH`) for a card that is invalid or does not describe the model.
 */
export async function exportOnnx(model: tfl.LayersModel, options: ExportOnnxOptions = {}): Promise<Uint8Array> {
  if (!isModel(model)) {
    throw new CxrkitError('ONNX_NOT_A_MODEL', 'exportOnnx needs a tfjs-layers LayersModel', {
      received: describeValue(model),
      fix: 'pass the model returned by createModel / buildScreeningModel / tf.loadLayersModel',
      pkg: 'onnx',
    });
  }
  const m = model as unknown as ModelLike;
  // An unbuilt Sequential has empty inputNames/outputNames: fall back to the Keras rule (source layer names).
  const inputNames = m.inputNames.length === m.inputs.length ? m.inputNames : m.inputs.map((t) => t.sourceLayer.name);
  const outputNames =
    m.outputNames.length === m.outputs.length ? m.outputNames : m.outputs.map((t) => t.sourceLayer.name);
  const opset = options.opset ?? 13;
  if (!SUPPORTED_OPSETS.includes(opset)) {
    throw new CxrkitError('ONNX_BAD_OPTION', 'unsupported opset', {
      received: opset,
      fix: `pass one of ${SUPPORTED_OPSETS.join(', ')}`,
      pkg: 'onnx',
    });
  }
  if (options.card !== undefined && options.preprocessing !== undefined) {
    throw new CxrkitError('ONNX_BAD_OPTION', 'pass card or preprocessing, not both (the card records it)', {
      received: options.preprocessing,
      fix: 'drop preprocessing',
      pkg: 'onnx',
    });
  }
  const card = options.card === undefined ? undefined : parseModelCard(options.card);
  if (card) {
    const [inputShapes, outputShapes] = [m.inputs.map((t) => t.shape), m.outputs.map((t) => t.shape)];
    checkCardMatchesModel(card, { inputNames, inputShapes, outputShapes });
  }
  const g = new GraphBuilder();
  g.reserve(...inputNames, ...outputNames);
  const rootInputs: TensorInfo[] = m.inputs.map((t, i) => {
    const name = inputNames[i]!;
    if (t.shape.length === 4)
      return {
        name: g.op('Transpose', [name], `${name}/nchw`, { perm: { ints: [0, 3, 1, 2] } }),
        layout: 'nchw',
        kerasShape: t.shape,
      };
    return { name, layout: 'plain', kerasShape: t.shape };
  });
  const graphInputs = m.inputs.map((t, i) => valueInfo(inputNames[i]!, t.shape));

  const results = emitGraph(g, m, rootInputs, '');
  const graphOutputs = [];
  for (let i = 0; i < m.outputs.length; i++) {
    const t = m.outputs[i]!;
    const name = outputNames[i]!;
    const info = results[i]!;
    if (info.layout === 'nchw') g.node('Transpose', [info.name], name, { perm: { ints: [0, 2, 3, 1] } }, [name]);
    else g.node('Identity', [info.name], name, {}, [name]);
    graphOutputs.push(valueInfo(name, t.shape));
  }

  const modelName = options.modelName ?? m.name;
  const preprocessing =
    options.preprocessing === undefined
      ? 'unspecified'
      : typeof options.preprocessing === 'string'
        ? options.preprocessing
        : JSON.stringify(options.preprocessing);
  const metadata: Record<string, string> = {
    'cxrkit.model_name': modelName,
    'cxrkit.version': CXRKIT_VERSION,
    'cxrkit.preprocessing': preprocessing,
    'cxrkit.input_layout': 'NHWC',
    ...(card ? cardOnnxMetadata(card) : {}),
    ...options.metadata,
  };
  return encodeModel({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'cxrkit',
    producer_version: CXRKIT_VERSION,
    model_version: 1,
    doc_string: `cxrkit model '${modelName}' exported from TensorFlow.js`,
    graph: {
      name: modelName,
      node: g.nodes,
      initializer: g.initializers,
      input: graphInputs,
      output: graphOutputs,
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

function valueInfo(name: string, shape: readonly (number | null)[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: TensorDataType.FLOAT,
        shape: {
          dim: shape.map((d, i) =>
            d === null || d === undefined ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d },
          ),
        },
      },
    },
  };
}

/**
 * Emits the ONNX nodes of `model`'s graph with its inputs bound to `inputs` and returns its outputs.
 * Layers are named by their path (`prefix` + layer name; `_call<n>` for the n-th call of a shared
 * layer); a model used as a layer is inlined under `<prefix><model>/`.
 */
function emitGraph(g: GraphBuilder, model: ModelLike, inputs: TensorInfo[], prefix: string): TensorInfo[] {
  const outputs = walkGraph<TensorInfo>(model, inputs, (base, args, node) => {
    const layer = base as LayerLike;
    if (isModel(layer)) return emitGraph(g, layer, args, `${prefix}${layer.name}/`);
    const call = layer.inboundNodes.indexOf(node);
    const path = `${prefix}${layer.name}${call > 0 ? `_call${call}` : ''}`;
    const convert = CONVERTERS[layer.getClassName()];
    if (!convert) throw unsupported(layer, path);
    return convert({
      g,
      layer,
      config: layer.getConfig(),
      inputs: args,
      outShapes: node.outputTensors.map((o) => o.shape),
      path,
    });
  });
  return outputs.map((info, i) => {
    if (info !== undefined) return info;
    const ref = model.outputs[i]!;
    throw new CxrkitError(
      'ONNX_UNSUPPORTED_LAYER',
      `output '${prefix}${ref.sourceLayer.name}' depends on an input layer that is not an input of the exported model`,
      {
        received: ref.name,
        fix: 'export the model whose inputs include it',
        pkg: 'onnx',
      },
    );
  });
}

function unsupported(layer: LayerLike, path: string): CxrkitError {
  const cls = layer.getClassName();
  return new CxrkitError(
    'ONNX_UNSUPPORTED_LAYER',
    `layer '${path}' of class ${cls} has no exact ONNX conversion; nothing was exported`,
    {
      received: cls,
      fix: `use layers the exporter supports (${SUPPORTED_LAYERS.join(', ')}, nested models), or open an issue for ${cls}`,
      pkg: 'onnx',
    },
  );
}
