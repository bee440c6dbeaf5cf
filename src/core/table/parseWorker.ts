/**
 * Entry of the parsing worker thread (parseRemote.ts): built to dist/parseWorker.js beside the
 * bundles, and compiled beside parseRemote.js for the tests. It does nothing when loaded
 * anywhere but in a worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RemoteJob, serveParse } from './parseRemote';

if (parentPort) serveParse(parentPort, workerData as RemoteJob);
