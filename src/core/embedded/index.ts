export { ensureEmbeddedDynamo, serveEmbedded, type EmbeddedHandle, type EmbeddedOptions } from './embedded.js';
export { resolveEmbeddedTarget, DEFAULT_EMBEDDED_PATH, type EmbeddedTarget } from './target.js';
export { LOCK_FILE } from './lock.js';
