// The worker-thread entry of the prepare pool (see worker-pool.ts): takes `{ id, source }` messages, answers
// `{ id, ok: true, prepared }` (the image buffer transferred, not copied) or `{ id, ok: false, code, message }`.
// Built to dist/prepare-worker.js; from the sources it is loaded through tsx (worker-script.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { parseModelCard } from '@cxrkit/models/card';
import { errorCode } from '../errors.js';
import { prepareInstance, type PrepareOptions } from './prepare.js';

interface Data {
  card: unknown;
  options: PrepareOptions;
}

const { card: cardJson, options } = workerData as Data;
const card = parseModelCard(cardJson);
const port = parentPort!;

port.on('message', async (message: { id: number; source: string }) => {
  try {
    const prepared = await prepareInstance(message.source, card, options);
    const image = prepared.image;
    // a view into a larger buffer would transfer (and detach) the whole buffer: copy it out first
    const own = image.byteOffset === 0 && image.byteLength === image.buffer.byteLength ? image : image.slice();
    prepared.image = own;
    port.postMessage({ id: message.id, ok: true, prepared }, [own.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id: message.id, ok: false, code: errorCode(e), message: (e as Error)?.message ?? String(e) });
  }
});
port.postMessage({ ready: true });
