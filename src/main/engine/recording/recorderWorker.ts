// Entry of the recorder thread (recorder.ts starts it for runs with many frames a second): the recorder
// of recorderCore.ts, on a thread of its own.
import { parentPort, workerData } from 'node:worker_threads'
import { runRecorder, type RecorderWorkerData } from './recorderCore'

if (!parentPort) throw new Error('recorderWorker must run as a worker thread')
runRecorder(parentPort, workerData as RecorderWorkerData, 'own thread')
