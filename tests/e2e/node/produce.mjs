// Enqueue jobs exactly as login.dfe.jobs-client does: job name == queue name, retention options only.
// Usage: node produce.mjs <redisUrl> <queue> '<JSON array of job data>'  → prints the job ids as JSON.
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queueName, dataJson] = process.argv.slice(2);
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue(queueName, { connection });
const options = { removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 43200 } };
const ids = [];
for (const data of JSON.parse(dataJson)) {
  const job = await queue.add(queueName, data, options);
  ids.push(job.id);
}
console.log(JSON.stringify(ids));
await queue.close();
await connection.quit();
