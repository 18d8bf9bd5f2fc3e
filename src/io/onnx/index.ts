/** ONNX: export models for onnxruntime and friends, and import/run ONNX recurrent models. */
export { loadOnnx, SUPPORTED_ONNX_OPERATORS, type OnnxModel, type OnnxValueInfo, type LoadOnnxOptions } from './import.js';
export { exportOnnx, encodeOnnx, onnxRecurrentWeights, EXPORT_OPSET, ONNX_CONFIG_KEY, type ExportOnnxOptions } from './export.js';
export { sequentialFromOnnx } from './to-model.js';
export {
  compile, engineSummary, autoChoice, forwardFlops, AutoEngine, AUTO_RULE, ENGINE_NAMES,
  type EngineName, type CompileOptions, type EngineChoice,
} from './engine.js';
