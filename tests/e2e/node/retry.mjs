// Retry failed jobs as Node tools (bull-board, ops scripts) do: Job.retry() on each failed job.
// Usage: node retry.mjs <redisUrl> <queue> '<JSON array of job ids>'  → prints the ids retried.
import { Job, Queue } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queueName, idsJson] = process.argv.slice(2);
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue(queueName, { connection });
const retried = [];
for (const id of JSON.parse(idsJson)) {
  const job = await Job.fromId(queue, id);
  if (job && (await job.isFailed())) {
    await job.retry('failed');
    retried.push(id);
  }
}
console.log(JSON.stringify(retried));
await queue.close();
await connection.quit();
