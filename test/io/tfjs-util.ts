/** Helpers shared by the TF.js tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Save a TF.js model as model.json + group1-shard1of1.bin in `dir`; returns the model.json path. */
export async function saveTfjs(model: tf.LayersModel, dir: string): Promise<string> {
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      modelTopology: a.modelTopology, format: 'layers-model', generatedBy: a.generatedBy, convertedBy: null,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

