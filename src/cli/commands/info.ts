/** `lstm info MODEL`: architecture, parameter count and the training metadata stored in a model file. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { openModel, describeModelFile, detectFormat } from '../../index.js';
import { writeJson, writeOut } from '../util.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('Show a model file: task, layers, parameter count, training metadata and metrics.')
    .argument('<model>', 'model file (.safetensors), PyTorch state_dict (.safetensors), .onnx or TF.js model.json')
    .option('--json', 'print one JSON object on stdout')
    .action((path: string, f: { json?: boolean }) => {
      // ONNX, TF.js model.json and PyTorch state_dicts are described by io/convert.ts.
      if (!/\.safetensors$/i.test(path) || detectFormat(path) !== 'model') {
        const d = describeModelFile(path);
        writeJson(d, !f.json);
        return;
      }
      const m = openModel(path);
      const { model, metadata } = m.loaded;
      const meta = metadata as Record<string, unknown>;
      const training = meta.training as Record<string, unknown> | undefined;
      // Loss curves are long; info shows their length and last value.
      const brief = training
        ? Object.fromEntries(Object.entries(training).map(([k, v]) => (Array.isArray(v) && v.length > 5 ? [k, `${v.length} values, last ${v[v.length - 1]}`] : [k, v])))
        : null;
      const out = {
        file: path,
        bytes: statSync(path).size,
        kind: m.kind,
        task: model.task,
        parameters: model.numParameters(),
        layers: model.config().layers,
        ...(meta.forecast ? { forecast: meta.forecast } : {}),
        ...(meta.languageModel ? { languageModel: meta.languageModel } : {}),
        ...(meta.classifier ? { classifier: { ...(meta.classifier as object) } } : {}),
        ...(meta.vocab ? { vocabSize: (meta.vocab as { tokens: string[] }).tokens.length } : {}),
        training: brief,
        metrics: meta.metrics ?? null,
      };
      if (f.json) {
        writeJson(out);
        return;
      }
      writeOut(
        [`${path} (${out.bytes} bytes): ${m.kind} model, task ${model.task}, ${out.parameters} parameters`, model.summary(), JSON.stringify({ ...out, layers: undefined }, null, 2)].join('\n') + '\n',
      );
    });
}
