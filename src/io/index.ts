/** File formats: safetensors, PyTorch state dicts, model files, training checkpoints, ONNX, TF.js, atomic writes, the FormatError every loader throws and the budgets they check. */
export { FormatError, printable, quote, listNames } from './errors.js';
export { LimitError, DEFAULT_LIMITS, LIMIT_NAMES, setLimits, resolveLimits, checkLimit, parseLimits, type Limits, type LimitName } from './limits.js';
export { readFileChecked, checkRegularFile } from './read-file.js';
export { assertFiniteWeights } from './finite.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic.js';
export {
  readSafetensors, writeSafetensors, encodeSafetensors, parseSafetensorsHeader,
  f16ToNumber, bf16ToNumber, numberToF16, numberToBf16,
  type SafetensorsDType, type SafetensorsWriteDType, type SafetensorsEntry, type SafetensorsHeader,
  type SafetensorsFile, type ReadSafetensorsOptions, type WriteSafetensorsOptions,
} from './safetensors.js';
export {
  loadTorchStateDict, saveTorchStateDict,
  type LoadTorchOptions, type LoadTorchResult, type SaveTorchOptions,
} from './pytorch.js';
export * from './onnx/index.js';
export { saveModel, loadModel, encodeModel, decodeModel, configParameterCount, MODEL_FORMAT, MODEL_VERSION, type ModelMetadata, type ModelExtra, type LoadModelOptions, type LoadedModel } from './model-file.js';
export { saveCheckpoint, loadCheckpoint, fileCheckpoint, type FileCheckpointOptions } from './checkpoint.js';
export * from './tfjs/index.js';
export { convertModel, readAnyModel, writeAnyModel, describeModelFile, detectFormat, configFromStateDict, MODEL_FORMATS, CARRIED_METADATA_KEY, type ModelFormat, type ConvertOptions, type ReadAnyOptions, type AnyModel } from './convert.js';
