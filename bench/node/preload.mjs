// Pre-load jobs as the Node producers do: name = queue, their retention options, addBulk in chunks of 1000.
// Usage: node preload.mjs <redisUrl> <queue> <count> '<JSON job data>'  → prints {"jobs", "seconds"}.
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queueName, countText, dataJson] = process.argv.slice(2);
const count = Number(countText);
const data = JSON.parse(dataJson ?? '{}');
const options = { removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 43200 } };
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue(queueName, { connection });
const started = performance.now();
for (let first = 0; first < count; first += 1000) {
  const chunk = [];
  for (let i = first; i < Math.min(count, first + 1000); i += 1) {
    chunk.push({ name: queueName, data: { ...data, n: i }, opts: options });
  }
  await queue.addBulk(chunk);
}
console.log(JSON.stringify({ jobs: count, seconds: (performance.now() - started) / 1000 }));
await queue.close();
await connection.quit();
