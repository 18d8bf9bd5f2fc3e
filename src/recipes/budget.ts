/**
 * The `parameters` budget (io/limits.ts) for the models the recipes build from their options:
 * `lstm forecast --hidden 30000` would otherwise ask the backend for 14 GB before anything said
 * no. The size is computed from the layer sizes alone, as loadModel does for a file.
 */
import { configParameterCount } from '../io/model-file.js';
import { checkLimit, type Limits } from '../io/limits.js';

/** Throw a LimitError if `layers` (type and options, as in a model config) exceed the parameters budget. */
export function checkModelSize(layers: Array<{ type: string; options: Record<string, unknown> }>, what: string, limits?: Partial<Limits>): void {
  const n = configParameterCount({ task: 'regression', dtype: 'float32', layers: layers.map((l, i) => ({ name: String(i), ...l })) });
  checkLimit('parameters', n, `${what} would have ${n} parameters`, undefined, limits);
}
