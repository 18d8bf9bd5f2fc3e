/**
 * Recipes: what the `lstm` commands do, as library calls. Each builds its model, prepares the
 * data, trains with fit(), scores against a baseline and knows the metadata of the model file
 * it writes: forecasting (forecast/), language model, text classifier, resume fingerprints,
 * and openModel for "whatever model file this is".
 */
export * from './forecast/index.js';
export {
  trainLanguageModel, saveLanguageModel, evaluateLanguageModel, buildLanguageModel, generateText, generatePieces, nextTokenChunks, unigramLoss, sampleLogits, StatefulRunner, LM_DEFAULTS,
  type LanguageModelPlan, type TrainTextResult, type GenerateOptions,
} from './language-model.js';
export {
  readLabelledTexts, trainClassifier, saveClassifier, splitRows, classificationMetrics, TextClassifier, CLASSIFIER_DEFAULTS,
  type ClassifierPlan, type LabelledTexts, type TrainClassifierResult,
} from './classify.js';
export { removeCheckpoints, partialOf, fingerprint, type CheckpointOptions, type PartialModel } from './resume.js';
export { openModel, inferenceModels, type OpenedModel } from './open-model.js';
export { scoreForecast, scoreClassifier, scoreLanguageModel, type ScoredPart, type ScoreOptions } from './scoring.js';
