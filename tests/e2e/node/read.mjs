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
// A job's hash and its state are two reads: a job finishing between them would show a final
// state beside its fields from before (no returnvalue, attemptsMade 0). Read the state on both
// sides of the hash and keep a snapshot only when the two agree.
async function consistentJob(id) {
  for (let tries = 1; ; tries += 1) {
    const before = await queue.getJobState(id);
    const job = await Job.fromId(queue, id);
    if (!job) return { job: null, state: 'missing' };
    const after = await job.getState();
    if (after === before || tries === 50) return { job, state: after };
  }
}
for (const id of JSON.parse(idsJson)) {
  const { job, state } = await consistentJob(id);
  if (!job) {
    jobs.push({ id, state: 'missing' });
    continue;
  }
  jobs.push({
    id,
    name: job.name,
    state,
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
