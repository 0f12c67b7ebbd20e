// A Node BullMQ worker per queue (as login.dfe.jobs registers them: concurrency 1, BullMQ defaults),
// no-op handlers; runs until SIGTERM. Usage: node idle.mjs <redisUrl> '<JSON array of queue names>'
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queuesJson] = process.argv.slice(2);
const workers = JSON.parse(queuesJson).map((queueName) => new Worker(
  queueName, async () => null,
  { connection: new IORedis(redisUrl, { maxRetriesPerRequest: null }) },
));
await Promise.all(workers.map((worker) => worker.waitUntilReady()));
console.log('ready');
process.on('SIGTERM', async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  process.exit(0);
});
