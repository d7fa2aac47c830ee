// `cxrkit export <model> --onnx`: a saved model folder → an ONNX file with its model card embedded
// (exportOnnx from @cxrkit/onnx), for onnxruntime services and the browser.
import { writeFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackendKind } from '@cxrkit/core';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { cliError } from '../io/cli-error.js';
import { defaultBackend } from '../io/common-options.js';
import { integerOption } from '../io/option-parsers.js';

interface ExportFlags {
  onnx?: boolean;
  out?: string;
  opset: number;
  force?: boolean;
  backend: BackendKind;
  json?: boolean;
}

/** `cxrkit export`. */
export function exportCommand(ctx: CliContext): Command {
  return new Command('export')
    .summary('a saved model → ONNX with its model card embedded')
    .description(
      'Converts MODEL (a folder written by saveModel: model.json, weights, model-card.json) to ONNX, with the\n' +
        'card in the metadata (cxrkit.card), so onnxruntime services and the browser screen exactly as the\n' +
        'card says. Writes MODEL/model.onnx unless --out is given.',
    )
    .argument('<model>', 'model folder (model.json + model-card.json)')
    .option('--onnx', 'export to ONNX (the one format today)')
    .option('--out <file>', 'where to write (default MODEL/model.onnx)')
    .option('--opset <n>', 'ONNX opset (13 or later that @cxrkit/onnx supports)', integerOption('--opset', 1, 100), 13)
    .option('--force', 'overwrite an existing file')
    .option(
      '--backend <kind>',
      'TensorFlow.js backend to load the model on (default $CXRKIT_BACKEND, else cpu)',
      defaultBackend(ctx, 'cpu'),
    )
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ cxrkit export out/demo/model --onnx',
        '  $ cxrkit export runs/a/model --onnx --out dist/screen.onnx --force',
        '',
        'Exit codes: 0 ok, 1 failure (unreadable model, a layer ONNX export does not support), 2 usage,',
        '3 the output file exists (add --force).',
      ].join('\n'),
    )
    .action(async (modelPath: string, flags: ExportFlags) => {
      if (!flags.onnx) {
        throw cliError('CLI_BAD_OPTION', 'name the format to export to', {
          received: 'no format option',
          fix: 'add --onnx',
        });
      }
      const out = resolve(flags.out ?? join(modelPath, 'model.onnx'));
      if ((await stat(out).catch(() => undefined)) && !flags.force) {
        throw cliError('CLI_OUTPUT_EXISTS', 'the output file exists', {
          received: out,
          fix: 'pass --force to overwrite it, or --out <another file>',
        });
      }
      const { loadModelForCli } = await import('../io/load-model.js');
      const { exportOnnx, readOnnxInfo } = await import('@cxrkit/onnx');
      const loaded = await loadModelForCli(modelPath, { engine: 'tfjs', backend: flags.backend });
      const bytes = await exportOnnx(loaded.model!, { card: loaded.card, opset: flags.opset });
      await writeFile(out, bytes);
      const info = readOnnxInfo(bytes);
      const result = {
        file: out,
        bytes: bytes.length,
        opset: info.opset,
        cardId: info.card?.id ?? null,
        inputs: info.inputs,
        outputs: info.outputs,
      };
      ctx.io.stdout(
        flags.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : `wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB, opset ${info.opset}, card ${info.card?.id ?? 'none'})\n`,
      );
    });
}
