// Which layers the screening service's Grad-CAM explainer averages, read from the card: the thesis's mixed10
// convolutions for InceptionV3 (THESIS.md Part 3), the card's own info.gradcamLayers first, a typed error when
// neither is known. (The explainer's maps against gradCam itself: packages/serve/src/http-result.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError } from '@cxrkit/core';
import { gradCamLayers, type ExplainedModelCard } from './index.js';

const card = (backbone: string | undefined, info?: Record<string, unknown>): ExplainedModelCard => ({
  architecture: { backbone, inputSize: 96, channels: 1, inputName: 'image' },
  fusion: [],
  info,
});

test('InceptionV3: mixed10’s nine convolutions conv2d_86 … conv2d_94; the card’s info.gradcamLayers win', () => {
  assert.deepEqual(gradCamLayers(card('inception_v3')), [
    'conv2d_86',
    'conv2d_87',
    'conv2d_88',
    'conv2d_89',
    'conv2d_90',
    'conv2d_91',
    'conv2d_92',
    'conv2d_93',
    'conv2d_94',
  ]);
  assert.deepEqual(gradCamLayers(card('inception_v3', { gradcamLayers: ['mixed9'] })), ['mixed9']);
  assert.deepEqual(gradCamLayers(card('inception_v3'), { layers: ['conv2d_94'] }), ['conv2d_94']);
});

test('a backbone with no known layers and none in the card is a typed GRADCAM_NO_LAYERS', () => {
  assert.throws(
    () => gradCamLayers(card('mobilenet_v2')),
    (e: unknown) => isCxrkitError(e, 'GRADCAM_NO_LAYERS'),
  );
  assert.throws(
    () => gradCamLayers(card(undefined, { gradcamLayers: [3] })),
    (e: unknown) => isCxrkitError(e, 'GRADCAM_NO_LAYERS'),
  );
});
