/**
 * InferenceEngine: another runtime a Sequential may hand its inference to, in place of its own
 * kernels. nn/ only declares the interface and calls it; the engines live higher up (io/onnx's
 * onnxruntime engine, built from the model's ONNX export by `compile`), so layers never import
 * a file format or a native package. Training never goes through an engine: an engine keeps
 * nothing for backward, and it holds a copy of the weights taken when it was built.
 */
import type { Tensor } from '../tensor/tensor.js';

/** Runs a model's eval-mode forward somewhere else (e.g. an onnxruntime session). */
export interface InferenceEngine {
  /** Short name for messages: 'onnxruntime', 'auto'. */
  readonly name: string;
  /**
   * The model's output for x, exactly as `Sequential.forward` in eval mode would give it: x is
   * already checked against the model's input kind ((B,T,F), (B,T) ids or (B,F) rows), lengths
   * (B) too. Returns null to let the model run this call on its own kernels (an engine that
   * picks per shape does that where the kernels are faster).
   */
  run(x: Tensor, lengths: Int32Array | null): Tensor | null;
  /** Release what the engine holds (a native session). Called when it is detached. */
  dispose(): void;
}
