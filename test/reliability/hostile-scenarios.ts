/**
 * Named scenarios for the bounded child of test/helpers/hostile.ts (`scenario:<name> <arg>`):
 * the hostile inputs that are not a plain "load this file" — running an ONNX graph, building a
 * layer of a given size, training a classifier on a file, fitting a vocabulary. Each gets the
 * library as `lib`, so the child bundles one copy of it.
 */
import { readFileSync } from 'node:fs';
import type * as Lib from '../../src/index.js';

type Scenario = (arg: string, lib: typeof Lib) => unknown;

export const SCENARIOS: Record<string, Scenario> = {
  /** Run an ONNX graph that takes no inputs. */
  'onnx-run': (path, lib) => lib.loadOnnx(path, { backend: 'reference' }).run({}),
  /** The forecast recipe with `--hidden arg` on the reference backend, on a short seasonal series. */
  'forecast-hidden': (h, lib) => {
    lib.setBackend('reference');
    const series = Float64Array.from({ length: 144 }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 12) + i);
    return lib.runForecast(series, { hidden: Number(h), epochs: 1, progress: false });
  },
  /** Train a classifier for one epoch on a JSON-lines file (text, label). */
  'classify': async (path, lib) => lib.trainClassifier(await lib.readLabelledTexts(path, 'text', 'label'), { epochs: 1, progress: false }),
  /** Fit a character vocabulary on a text file. */
  'char-vocab': (path, lib) => new lib.CharVocab().fit(readFileSync(path, 'utf8')),
  /** Convert a PyTorch state_dict to ONNX next to it (lstm convert). */
  'convert-torch': (path, lib) => lib.convertModel(path, `${path}.onnx`, { backend: 'reference' }),
};
