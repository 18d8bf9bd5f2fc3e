/**
 * `lstm inspect MODEL INPUT [--out DIR]`: trace a saved model on one input sequence and write
 * the report (report.html, self-contained) and every plot as an SVG file into --out. The input
 * is prepared by inspectInput and the report built by inspectReport (src/report/).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic, loadModel, inspectInput, storedHistory, inspectReport, type Lang } from '../../index.js';
import { CliError, checkOutDir, choiceOption, ensureDir, info, intOption, naming } from '../util.js';

interface InspectFlags {
  out: string;
  lang: Lang;
  column?: string[];
  last?: number;
  step?: number;
  unit?: number;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('Trace a model on one sequence: gate heatmaps, cell diagram, loss and gradient plots as SVG and one HTML report')
    .argument('<model>', 'model file (.safetensors) written by lstm')
    .argument('<input>', 'CSV, .json array (T,F), .txt, or for a text model the text itself')
    .option('--out <dir>', 'output directory', 'out/inspect')
    .option('--lang <lang>', 'labels: en or zh-TW', choiceOption(['en', 'zh-TW'] as const), 'en')
    .option('--column <name...>', 'CSV column(s) to feed the model')
    .option('--last <n>', 'use the last n rows, steps or characters (default 200; a forecast model reads its lookback)', intOption(1))
    .option('--step <t>', 'time step (1-based) drawn in the cell diagram; default the last', intOption(1))
    .option('--unit <j>', 'unit whose values the cell diagram shows; default the most active', intOption(0))
    .action(async (modelPath: string, input: string, f: InspectFlags) => {
      if (!existsSync(modelPath)) throw new CliError(`${modelPath}: no such model file`);
      checkOutDir(f.out);
      const { model, metadata } = loadModel(modelPath);
      // inspectInput's errors name the input themselves (which may be the text itself, not a file).
      const prepared = await inspectInput(input, model, metadata, { columns: f.column, last: f.last });
      const report = await naming(input, () => inspectReport(model, prepared.x, {
        lang: f.lang, title: `lstm inspect: ${modelPath}`, inputDisplay: prepared.display,
        history: storedHistory(metadata), step: f.step !== undefined ? f.step - 1 : undefined, unit: f.unit,
      }));
      ensureDir(f.out);
      // Plot names are plain file names (report.ts); never write outside --out whatever a layer is called.
      for (const s of report.svgs) {
        if (basename(s.name) !== s.name || s.name.startsWith('.')) throw new CliError(`${modelPath}: plot name ${JSON.stringify(s.name)} is not a plain file name`);
      }
      for (const s of report.svgs) await writeFileAtomic(join(f.out, s.name), s.svg);
      await writeFileAtomic(join(f.out, 'report.html'), report.html);
      info(`wrote ${join(f.out, 'report.html')} and ${report.svgs.length} SVG plots (${prepared.x.shape[1]} steps)`);
    });
}
