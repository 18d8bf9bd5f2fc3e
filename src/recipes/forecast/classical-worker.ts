/**
 * The worker thread of classical.ts: fits its share of a panel's series with the classical
 * methods asked for and posts the fits back (or the error's message).
 */
import { workerData } from 'node:worker_threads';
import { fitClassicalHere, type ClassicalRequest } from './classical.js';
import { serveWorker } from './threads.js';

await serveWorker(() => fitClassicalHere(workerData as ClassicalRequest));
