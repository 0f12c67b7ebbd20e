// Read jobs back as Node tools (dashboards, ops scripts) do, and the queue's workers as
// Queue.getWorkers() lists them (their client names).
// Usage: node read.mjs <redisUrl> <queue> '<JSON array of job ids>'  → prints one object per job,
// the queue's counts, whether it is paused, its queue-level ("global") concurrency (null when
// none is set) and its workers.
import { Job, Queue } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queueName, idsJson] = process.argv.slice(2);
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue(queueName, { connection });
const jobs = [];
for (const id of JSON.parse(idsJson)) {
  const job = await Job.fromId(queue, id);
  if (!job) {
    jobs.push({ id, state: 'missing' });
    continue;
  }
  jobs.push({
    id,
    name: job.name,
    state: await job.getState(),
    data: job.data,
    returnvalue: job.returnvalue,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    processedBy: job.processedBy,
    stacktrace: job.stacktrace,
  });
}
const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
const paused = await queue.isPaused();
const globalConcurrency = await queue.getGlobalConcurrency();
const workers = (await queue.getWorkers()).map((worker) => worker.rawname);
console.log(JSON.stringify({ jobs, counts, paused, globalConcurrency, workers }));
await queue.close();
await connection.quit();
