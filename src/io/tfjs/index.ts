/** TF.js / Keras Layers models (model.json + weight shards). */
export { loadTfjsModel, TfjsModel, SUPPORTED_TFJS_LAYERS, type LoadTfjsOptions, type TfjsGraph, type GraphNode as TfjsGraphNode, type GraphInput as TfjsGraphInput, type Stage as TfjsStage } from './model.js';
export { readTfjsFiles, readTfjsArtifacts, readTfjsUserMetadata, type TfjsArtifacts, type TfjsWeight } from './artifacts.js';
export { KERAS_ACTIVATIONS } from './keras-rnn.js';
export { saveTfjsModel, encodeTfjsModel } from './save.js';
export { encodeTfjsAsOnnx } from './to-onnx.js';
