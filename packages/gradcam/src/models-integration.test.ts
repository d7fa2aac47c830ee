// @cxrkit-backends: cpu wasm
// Grad-CAM on @cxrkit/models' Keras-exact builders (width-scaled), inside the screening model with
// age/sex fusion: the thesis's nine mixed10 convolutions (conv2d_86 … conv2d_94) of InceptionV3, and the
// last block of DenseNet-121 and ResNet-50. Reference (independent of gradcam's graph walker): each
// conv feeds a BatchNormalization, so Σᵢⱼ ∂score/∂A_k = ∂score/∂β_k · γ_k / √(σ²_k + ε), with ∂score/∂β
// from tfjs' own gradient through model.apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type AnyLayer = ReturnType<tfl.LayersModel['getLayer']>;
import { buildScreeningModel } from '@cxrkit/models';
import { expectNoLeaks } from '../../../test/helpers.js';
import { gradCamDetailed } from './grad-cam.js';

interface BnInternals {
  epsilon: number;
  scale: boolean;
  gamma?: tfl.LayerVariable;
  beta: { read(): tf.Variable };
  movingVariance: tfl.LayerVariable;
}

/** Reference map of conv `name` for image `b` (layer resolution): α from the following BN's β gradient. */
function referenceCam(model: tfl.LayersModel, xs: tf.Tensor[], b: number, name: string, sign: 1 | -1): Float32Array {
  return tf.tidy(() => {
    const conv = model.getLayer(name) as AnyLayer & { outboundNodes: { outboundLayer: AnyLayer }[] };
    assert.equal(conv.outboundNodes.length, 1, `${name} feeds one layer`);
    const bn = conv.outboundNodes[0]!.outboundLayer as unknown as BnInternals & AnyLayer;
    assert.equal(bn.getClassName(), 'BatchNormalization', `${name} is followed by batch normalisation`);
    const single = xs.map((x) => tf.slice(x, b, 1));
    const head = model.getLayer('head_output') as AnyLayer;
    const features = tfl.model({ inputs: model.inputs, outputs: head.input as tfl.SymbolicTensor });
    const [kernel, bias] = head.getWeights();
    const beta = bn.beta.read();
    const { grads } = tf.variableGrads(() => {
      const z = tf.add(tf.matMul(features.apply(single) as tf.Tensor2D, kernel as tf.Tensor2D), bias!); // logit
      return tf.mul(tf.sum(tf.slice(z, [0, 0], [1, 1])), sign) as tf.Scalar;
    }, [beta]);
    const gamma = bn.scale && bn.gamma ? bn.gamma.read() : tf.onesLike(beta);
    const sumGrad = tf.mul(grads[beta.name]!, tf.div(gamma, tf.sqrt(tf.add(bn.movingVariance.read(), bn.epsilon))));
    const act = tfl
      .model({ inputs: model.inputs, outputs: conv.output as tfl.SymbolicTensor })
      .predict(single) as tf.Tensor4D;
    const [, h, w] = act.shape;
    return tf.relu(tf.sum(tf.mul(act, tf.div(sumGrad, h * w)), -1)).dataSync() as Float32Array;
  });
}

/** The reference needs Conv2DBackpropFilter (fused conv gradients), which stock wasm lacks: run it on cpu. */
async function onReferenceBackend<T>(fn: () => T): Promise<T> {
  const active = tf.getBackend();
  if (tf.getKernel('Conv2DBackpropFilter', active) !== undefined) return fn();
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend(active);
  }
}

const SPECS = [
  {
    backbone: 'inception_v3',
    size: 139,
    layers: Array.from({ length: 9 }, (_, i) => `conv2d_${86 + i}`),
    task: 'binary' as const,
    sign: 1 as const,
  },
  {
    backbone: 'densenet121',
    size: 64,
    layers: ['conv5_block16_1_conv', 'conv5_block15_1_conv'],
    task: 'regression' as const,
    sign: -1 as const,
  },
  {
    backbone: 'resnet50',
    size: 64,
    layers: ['conv5_block3_3_conv', 'conv5_block3_2_conv', 'conv5_block1_0_conv'],
    task: 'binary' as const,
    sign: 1 as const,
  },
];

for (const spec of SPECS) {
  test(`${spec.backbone} (width 1/16) screening model with age/sex fusion: Grad-CAM per layer matches the BN-β reference`, async () => {
    const model = buildScreeningModel({
      backbone: spec.backbone,
      inputShape: [spec.size, spec.size, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      task: spec.task,
      fusion: ['age', 'sex'],
    });
    const inputs = {
      image: tf.randomUniform([2, spec.size, spec.size, 1], 0, 1, 'float32', 3),
      age: tf.tensor2d([[0.55], [0.8]]),
      sex: tf.tensor2d([[1], [0]]),
    };
    const ordered = model.inputNames.map((n) => inputs[n as keyof typeof inputs]);
    const target = spec.task === 'binary' ? ('positive' as const) : { task: 'regression' as const, sign: spec.sign };
    const res = await expectNoLeaks(
      () => gradCamDetailed(model, inputs, { layers: spec.layers, target, size: 'layer' }),
      spec.backbone,
    );
    const full = gradCamDetailed(model, inputs, { layers: spec.layers, target });
    assert.equal(full.heatmaps[0]!.width, spec.size);
    assert.ok(full.heatmaps.every((m) => m.data.every((v) => Number.isFinite(v) && v >= 0)));
    for (const [l, name] of spec.layers.entries()) {
      for (let b = 0; b < 2; b++) {
        const ref = await onReferenceBackend(() => referenceCam(model, ordered, b, name, spec.sign));
        const got = res.perLayer[l]![b]!.data;
        const scale = Math.max(1e-12, ...Array.from(ref, Math.abs));
        got.forEach((v, i) =>
          assert.ok(Math.abs(v - ref[i]!) <= 1e-3 * scale + 1e-9, `${name} image ${b} [${i}]: ${v} vs ${ref[i]}`),
        );
      }
    }
    tf.dispose(Object.values(inputs));
    model.dispose();
  });
}
