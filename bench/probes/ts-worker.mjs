// A worker thread that runs a TypeScript module: tsx's loader hooks are not inherited by worker
// threads on Node 20, so the worker registers them itself before importing its entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
