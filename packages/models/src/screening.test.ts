// The screening model: Figure 4.3's head (GAP, three dense, two dropout), tasks, and demographic fusion
// as named inputs — shapes for every fusion variant, named feeding, backbone models, typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isCxrkitError } from '@cxrkit/core';
import { buildScreeningModel, createModel, lossForTask, screeningInputs, type FusionInput } from './index.js';
import { expectNoLeaks } from '../../../test/helpers.js';

const tiny = { widthMultiplier: 1 / 16 };

const FUSIONS: FusionInput[][] = [[], ['age'], ['sex'], ['age', 'sex'], ['predictedAge']];

for (const fusion of FUSIONS) {
  test(`fusion [${fusion.join(', ')}]: named inputs, concat width, output shapes per task`, async () => {
    for (const [task, units] of [
      ['regression', 1],
      ['binary', 1],
      [{ classes: 3 }, 3],
    ] as const) {
      const model = buildScreeningModel({
        backbone: 'inception_v3',
        inputShape: [75, 75, 1],
        backboneOptions: tiny,
        task,
        fusion,
      });
      assert.deepEqual(model.inputNames, ['image', ...fusion]);
      for (const input of model.inputs.slice(1)) assert.deepEqual(input.shape, [null, 1]);
      assert.deepEqual(model.outputs[0]!.shape, [null, units]);
      const pooled = model.getLayer('avg_pool').outputShape as number[];
      if (fusion.length > 0)
        assert.deepEqual(model.getLayer('fusion_concat').outputShape, [null, pooled[1]! + fusion.length]);
      const kinds = model.layers
        .slice(model.layers.findIndex((l) => l.name === 'avg_pool'))
        .map((l) => l.getClassName());
      assert.deepEqual(
        kinds.filter((k) => k === 'Dense' || k === 'Dropout' || k === 'GlobalAveragePooling2D'),
        ['GlobalAveragePooling2D', 'Dense', 'Dropout', 'Dense', 'Dropout', 'Dense'],
      );
      assert.equal(
        model.getLayer('head_output').getConfig()['activation'],
        task === 'regression' ? 'linear' : task === 'binary' ? 'sigmoid' : 'softmax',
      );
      if (task === 'binary') {
        const feeds = {
          image: tf.randomUniform([2, 75, 75, 1]),
          age: tf.tensor2d([[0.5], [0.7]]),
          sex: tf.tensor2d([[0], [1]]),
          predictedAge: tf.tensor2d([[0.52], [0.66]]),
        };
        const named = Object.fromEntries(
          Object.entries(feeds).filter(([k]) => k === 'image' || (fusion as string[]).includes(k)),
        ) as typeof feeds;
        await expectNoLeaks(async () => {
          const y = model.predict(screeningInputs(model, named)) as tf.Tensor;
          assert.deepEqual(y.shape, [2, 1]);
          const v = await y.data();
          assert.ok(
            v.every((p) => p > 0 && p < 1),
            'sigmoid output in (0, 1)',
          );
          y.dispose();
        }, 'predict');
        tf.dispose(Object.values(feeds));
      }
      model.dispose();
    }
  });
}

test('fusion changes the prediction: the age input reaches the output', async () => {
  const model = buildScreeningModel({
    backbone: 'resnet50',
    inputShape: [32, 32, 1],
    backboneOptions: tiny,
    task: 'regression',
    fusion: ['age'],
  });
  const image = tf.randomUniform([1, 32, 32, 1]);
  const [young, old] = [tf.tensor2d([[0.3]]), tf.tensor2d([[0.9]])];
  const a = model.predict(screeningInputs(model, { image, age: young })) as tf.Tensor;
  const b = model.predict(screeningInputs(model, { image, age: old })) as tf.Tensor;
  assert.notEqual((await a.data())[0], (await b.data())[0]);
  tf.dispose([image, young, old, a, b]);
  model.dispose();
});

test('a model backbone is reused as is (flat, Keras layer names kept); defaults', () => {
  const backbone = createModel('densenet121', { includeTop: false, inputShape: [64, 64, 3], ...tiny });
  const model = buildScreeningModel({ backbone, task: 'binary', head: { units: [32, 16], dropout: [0.2, 0.1] } });
  assert.ok(model.getLayer('conv5_block16_concat'));
  assert.equal(model.getLayer('head_dense_1').getConfig()['units'], 32);
  assert.equal(model.getLayer('head_dropout_2').getConfig()['rate'], 0.1);
  assert.deepEqual(model.inputNames, ['input_1']);
  model.dispose();
  const def = buildScreeningModel({ backbone: 'inception_v3', backboneOptions: { widthMultiplier: 1 / 32 } });
  assert.deepEqual(def.inputs[0]!.shape, [null, 299, 299, 1]);
  assert.equal(def.getLayer('head_dense_1').getConfig()['units'], 256);
  assert.equal(def.getLayer('head_dense_2').getConfig()['units'], 128);
  assert.ok(def.getLayer('conv2d_94'), 'Grad-CAM layer names survive');
  def.dispose();
  assert.equal(lossForTask('regression'), 'meanSquaredError');
  assert.equal(lossForTask('binary'), 'binaryCrossentropy');
  assert.equal(lossForTask({ classes: 3 }), 'categoricalCrossentropy');
});

test('typed errors: fusion, task, head, backbone, inputs', () => {
  const is = (code: string, text?: string) => (e: unknown) =>
    isCxrkitError(e, code) && (!text || (e as Error).message.includes(text));
  const base = { backbone: 'resnet50', inputShape: [32, 32, 1] as [number, number, number], backboneOptions: tiny };
  assert.throws(
    () => buildScreeningModel({ ...base, fusion: ['ages' as never] }),
    is('SCREENING_FUSION_INVALID', "did you mean 'age'"),
  );
  assert.throws(() => buildScreeningModel({ ...base, fusion: ['sex', 'age'] }), is('SCREENING_FUSION_INVALID'));
  assert.throws(
    () => buildScreeningModel({ ...base, fusion: ['age', 'predictedAge'] }),
    is('SCREENING_FUSION_INVALID'),
  );
  assert.throws(
    () => buildScreeningModel({ ...base, task: 'binay' as never }),
    is('SCREENING_TASK_INVALID', "did you mean 'binary'"),
  );
  assert.throws(() => buildScreeningModel({ ...base, task: { classes: 1 } }), is('SCREENING_TASK_INVALID'));
  assert.throws(() => buildScreeningModel({ ...base, head: { units: [0, 3] } }), is('SCREENING_HEAD_INVALID'));
  assert.throws(() => buildScreeningModel({ ...base, head: { dropout: [1, 0] } }), is('SCREENING_HEAD_INVALID'));
  assert.throws(
    () => buildScreeningModel({ ...base, backbone: 'resnet_50' }),
    is('MODEL_UNKNOWN', "did you mean 'resnet50'"),
  );
  const model = buildScreeningModel({ ...base, fusion: ['sex'] });
  const image = tf.zeros([1, 32, 32, 1]);
  assert.throws(() => screeningInputs(model, { image }), is('SCREENING_INPUT_MISSING', 'sex'));
  assert.throws(() => screeningInputs(model, { image, sex: image, age: image }), is('SCREENING_INPUT_UNKNOWN', 'age'));
  image.dispose();
  model.dispose();
});
