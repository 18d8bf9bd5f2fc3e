/**
 * Kernel backends. Importing this module registers the plain-TypeScript "reference" backend;
 * faster backends register themselves when their module is loaded (see kernels/wasm).
 */
import { registerBackend } from './backend.js';
import { createReferenceBackend } from './reference/index.js';

registerBackend('reference', createReferenceBackend);

export { registerBackend, setBackend, getBackend, backendByName, listBackends } from './backend.js';
export type { Backend, RnnActivation } from './backend.js';
export { createReferenceBackend } from './reference/index.js';
