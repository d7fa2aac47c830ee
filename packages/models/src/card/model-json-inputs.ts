// The input names of a saved layers model, read from its model.json without TensorFlow.js: what a
// screening.json needs to be migrated (it did not record the fusion inputs).

/**
 * Input layer names of the model in `<dir>/model.json` (a functional model's `input_layers`, image
 * first), or undefined when there is no readable model.json or it names no inputs.
 */
export async function modelJsonInputNames(dir: string): Promise<string[] | undefined> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  try {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
      modelTopology?: { config?: { input_layers?: unknown } };
    };
    const layers = json.modelTopology?.config?.input_layers;
    if (!Array.isArray(layers) || layers.length === 0) return undefined;
    const names = layers.map((l) => (Array.isArray(l) ? l[0] : undefined));
    return names.every((n): n is string => typeof n === 'string') ? names : undefined;
  } catch {
    return undefined;
  }
}
