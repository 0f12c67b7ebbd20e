// A stand-in for the Node service (login.dfe.jobs) in the cut-over rehearsal: one BullMQ 5 Worker
// per queue given, with the original's options (the connection only: concurrency 1, default
// lock and stalled-job settings, no worker name). Each job it runs is appended to a Redis list,
// so a test can tell which side processed what; a job whose data has "failOnNode" fails.
// Usage: node consume.mjs <redisUrl> '<JSON array of queue names>' <list key>
// Prints {"ready": true} once every worker is connected; SIGTERM closes them (in-flight jobs
// finish first), as the original's shutdown and PATCH /monitor {"state": "stopped"} do.
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queuesJson, recordKey] = process.argv.slice(2);
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const recorder = new IORedis(redisUrl, { maxRetriesPerRequest: null });

const workers = JSON.parse(queuesJson).map((queue) => new Worker(queue, async (job) => {
  await recorder.rpush(recordKey, JSON.stringify({ queue, id: job.id }));
  if (job.data && job.data.failOnNode) {
    throw new Error('failed by the Node stand-in');
  }
  return { processedBy: 'node' };
}, { connection }));
await Promise.all(workers.map((worker) => worker.waitUntilReady()));
console.log(JSON.stringify({ ready: true }));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all(workers.map((worker) => worker.close()));
  await recorder.quit();
  await connection.quit();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
