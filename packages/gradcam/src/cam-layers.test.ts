// The default Grad-CAM layers: InceptionV3's mixed10 convolutions found by a graph walk, checked against
// the layer list (every Conv2D between mixed9 and mixed10 in Keras's build order) and the thesis's count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildScreeningModel, createModel } from '@cxrkit/models';
import { blockConvLayers, defaultCamLayers } from './cam-layers.js';

test('blockConvLayers(mixed10, mixed9) is the nine convolutions Keras builds between them', () => {
  const model = createModel('inception_v3', { inputShape: [75, 75, 1], widthMultiplier: 1 / 16, includeTop: false });
  const names = model.layers.map((l) => l.name);
  const between = model.layers
    .slice(names.indexOf('mixed9') + 1, names.indexOf('mixed10'))
    .filter((l) => l.getClassName() === 'Conv2D')
    .map((l) => l.name);
  const found = blockConvLayers(model as never, 'mixed10', 'mixed9');
  assert.equal(found.length, 9, 'the thesis averaged nine convolutions');
  assert.deepEqual([...found].sort(), [...between].sort());
  assert.deepEqual(defaultCamLayers(model as never), found);
  model.dispose();
});

test('defaultCamLayers: nested backbone paths; the last convolution for other models', () => {
  const screening = buildScreeningModel({
    backbone: 'inception_v3',
    inputShape: [75, 75, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'binary',
  });
  const layers = defaultCamLayers(screening as never);
  assert.equal(layers.length, 9);
  const resnet = createModel('resnet50', { inputShape: [64, 64, 1], widthMultiplier: 1 / 16, includeTop: false });
  assert.deepEqual(defaultCamLayers(resnet as never), ['conv5_block3_3_conv']);
  screening.dispose();
  resnet.dispose();
});
