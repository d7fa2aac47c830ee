// A model split at a frozen cut into two tfjs models that share its layers and weights: the prefix
// (image → cut tensors), run once per image to fill the feature cache, and the trainable suffix (cut
// tensors + the other inputs → the outputs), which train() runs instead of the model. Training the
// suffix trains the model's own weights: nothing is copied back.
import * as tfl from '@tensorflow/tfjs-layers';
import { allLayers, walkGraph, type GraphLayer, type SymbolicRef } from '@cxrkit/tfjs-ext/base';
import { fail } from '../errors.js';
import { cutAt, cutNames, elementsOf, findFrozenCut, type FrozenCut } from './find-cut.js';

/** One tensor of the cut, as the cache stores it (one sample: its shape without the batch dimension). */
export interface CutTensor {
  /** The layer that produces it (what `featureCache.cut` names). */
  layer: string;
  /** Shape of one sample, e.g. [14, 14, 1280] for InceptionV3's `mixed8` at 512 × 512. */
  shape: number[];
  /** Elements per sample. */
  size: number;
}

/** A model split at its frozen cut (see {@link splitAtFrozenCut}). */
export interface SplitModel {
  /** image → the cut tensors (outputs in `cut` order, named by their layers). Run in inference mode. */
  prefix: tfl.LayersModel;
  /** [cut tensors…, the model's other inputs…] → the model's outputs. Shares the model's layers. */
  suffix: tfl.LayersModel;
  cut: CutTensor[];
  /** Names of the model's inputs besides the image (e.g. `age`, `sex`), as the suffix's last inputs. */
  otherInputs: string[];
  /** Index of the image input in `model.inputs`. */
  imageIndex: number;
  /**
   * Takes the suffix's calls off the shared layers again (their inbound/outbound nodes and use counts),
   * so the model is as before (e.g. `layer.output` works). The suffix must not be used after. Idempotent.
   */
  restore(): void;
}

interface LayerBookkeeping {
  inboundNodes: unknown[];
  outboundNodes: unknown[];
  _refCount: number | null;
}

/** Stands for a value of the prefix inside the walk (never reaches a suffix layer). */
const PREFIX = Symbol('prefix');
type WalkValue = tfl.SymbolicTensor | typeof PREFIX;

/**
 * Splits `model` at the cut given by `cut` (layer names) or, by default, at the frozen cut found from
 * the layers' trainable flags ({@link findFrozenCut}). The prefix is a plain sub-model; the suffix calls
 * the model's own layers on new inputs named `<layer>_cached` (one per cut tensor) and the model's other
 * inputs under their own names. Call `restore()` when done with the suffix.
 * @throws CxrkitError FEATURE_CACHE_NOTHING_FROZEN, FEATURE_CACHE_CUT_INVALID (from the cut search).
 */
export function splitAtFrozenCut(model: tfl.LayersModel, cut?: string | readonly string[]): SplitModel {
  const found: FrozenCut =
    cut === undefined ? findFrozenCut(model) : cutAt(model, typeof cut === 'string' ? [cut] : cut);
  const cutTensors = found.tensors.map((r): CutTensor => {
    const shape = r.shape.slice(1);
    if (shape.some((d) => d == null))
      fail(
        'FEATURE_CACHE_CUT_INVALID',
        `the cut tensor of '${r.sourceLayer.name}' has an unknown size (shape [${r.shape}])`,
        r.shape,
        'build the model with a fixed input size (inputShape: [h, w, c])',
      );
    return { layer: r.sourceLayer.name, shape: shape as number[], size: elementsOf(r) };
  });
  const names = cutNames(found.tensors);
  if (new Set(names).size !== names.length)
    fail(
      'FEATURE_CACHE_CUT_INVALID',
      'two cut tensors come from the same layer (a layer with several outputs)',
      names,
      'cut after that layer',
    );
  const prefix = tfl.model({
    inputs: model.inputs[found.imageIndex]!,
    outputs: found.tensors as unknown as tfl.SymbolicTensor[],
    name: `${model.name}_frozen_prefix`,
  });

  const layers = allLayers<tfl.layers.Layer>(model);
  const saved = new Map<tfl.layers.Layer, [number, number, number | null]>();
  for (const l of layers) {
    const b = l as unknown as LayerBookkeeping;
    saved.set(l, [b.inboundNodes.length, b.outboundNodes.length, b._refCount]);
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const [l, [inbound, outbound, refCount]] of saved) {
      const b = l as unknown as LayerBookkeeping;
      b.inboundNodes.length = inbound;
      b.outboundNodes.length = outbound;
      b._refCount = refCount;
    }
  };

  try {
    const cutIndex = new Map(found.tensors.map((r, i) => [r.id, i]));
    const cutInputs = cutTensors.map((t) => tfl.input({ shape: t.shape, name: `${t.layer}_cached` }));
    const otherInputs: string[] = [];
    const walkInputs: WalkValue[] = model.inputs.map((t, i) => {
      if (i === found.imageIndex) return PREFIX;
      otherInputs.push(model.inputNames[i]!);
      return tfl.input({ shape: t.shape.slice(1) as number[], name: model.inputNames[i]!, dtype: t.dtype });
    });
    const outs = walkGraph<WalkValue>(model as unknown as GraphLayer, walkInputs, (layer, args, node) => {
      if (found.prefixNodes.has(node))
        return node.outputTensors.map((r: SymbolicRef) => {
          const k = cutIndex.get(r.id);
          return k === undefined ? PREFIX : cutInputs[k]!;
        });
      if (args.some((a) => a === PREFIX))
        throw new Error(`[cxrkit/models] internal: '${layer.name}' reads a prefix value that is not cut`);
      const sym = args as tfl.SymbolicTensor[];
      const out = (layer as unknown as tfl.layers.Layer).apply(sym.length === 1 ? sym[0]! : sym, node.callArgs ?? {});
      return (Array.isArray(out) ? out : [out]) as tfl.SymbolicTensor[];
    });
    if (outs.some((o) => o === undefined || o === PREFIX))
      throw new Error('[cxrkit/models] internal: the suffix does not reach every model output');
    const suffix = tfl.model({
      inputs: [...cutInputs, ...(walkInputs.filter((v) => v !== PREFIX) as tfl.SymbolicTensor[])],
      outputs: outs as tfl.SymbolicTensor[],
      name: `${model.name}_trainable_suffix`,
    });
    return { prefix, suffix, cut: cutTensors, otherInputs, imageIndex: found.imageIndex, restore };
  } catch (e) {
    restore();
    throw e;
  }
}
