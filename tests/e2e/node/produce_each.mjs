// Enqueue jobs on several queues in the given order, as the Node producers do (job name == queue
// name, retention options only). Usage: node produce_each.mjs <redisUrl> '<JSON [{queue, data}]>'
// → prints [[queue, id, timestamp], …] in the same order.
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, jobsJson] = process.argv.slice(2);
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const options = { removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 43200 } };
const queues = new Map();
const added = [];
for (const { queue, data } of JSON.parse(jobsJson)) {
  if (!queues.has(queue)) queues.set(queue, new Queue(queue, { connection }));
  const job = await queues.get(queue).add(queue, data, options);
  added.push([queue, job.id, job.timestamp]);
}
console.log(JSON.stringify(added));
for (const queue of queues.values()) await queue.close();
await connection.quit();
