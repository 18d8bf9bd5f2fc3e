/**
 * `lstm convert IN OUT`: convert a model between this project's model file (.safetensors), a
 * PyTorch state_dict (.safetensors, --from/--to torch), ONNX (.onnx) and TF.js (model.json).
 * The work is src/io/convert.ts (convertModel); this file only parses arguments and prints
 * what the output format could not carry as warnings on stderr.
 */
import type { Command } from 'commander';
import { convertModel, MODEL_FORMATS } from '../../index.js';
import { choiceOption, info, writeJson } from '../util.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('Convert a model: lstm-ts model file, PyTorch state_dict (safetensors), ONNX or TF.js model.json.')
    .argument('<in>', 'input: model .safetensors, PyTorch state_dict .safetensors, .onnx (written by lstm-ts) or TF.js model.json')
    .argument('<out>', 'output file; format from the extension (.safetensors = model file, .onnx, .json = TF.js) unless --to')
    .option('--from <format>', `input format (${MODEL_FORMATS.join(', ')})`, choiceOption(MODEL_FORMATS))
    .option('--to <format>', `output format (${MODEL_FORMATS.join(', ')}); "torch" writes a PyTorch state_dict`, choiceOption(MODEL_FORMATS))
    .option('--last-step', 'PyTorch input: the model uses the last time step (out[:, -1]) before its Linear layers')
    .option('--nonlinearity <act>', 'PyTorch input: nonlinearity of nn.RNN layers', choiceOption(['tanh', 'relu'] as const))
    .option('--lengths', 'ONNX output: add a "lengths" input for padded batches')
    .option('--json', 'print the result as one JSON object on stdout')
    .action((inPath: string, outPath: string, f: { from?: string; to?: string; lastStep?: boolean; nonlinearity?: 'tanh' | 'relu'; lengths?: boolean; json?: boolean }) => {
      const r = convertModel(inPath, outPath, {
        ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}),
        lastStep: f.lastStep ?? false, ...(f.nonlinearity ? { nonlinearity: f.nonlinearity } : {}), lengths: f.lengths ?? false,
      });
      // What the output format cannot hold (an ensemble's other members, preprocessing as graph operations).
      for (const w of r.warnings) info(`lstm: warning: ${w}`);
      if (f.json) writeJson({ in: inPath, out: outPath, ...r });
      else info(`${inPath} (${r.from}) → ${outPath} (${r.to}): ${r.parameters} parameters; ${r.layers.join(', ')}`);
    });
}
