// The durable writes moved to @cxrkit/core (src/io/durable-write.ts), the one copy models, checkpoints
// and serve share; re-exported here so code that imports this file by path keeps working.
export { writeFileSynced, syncDir, writeFileAtomic, writeDirAtomic } from '@cxrkit/core';
