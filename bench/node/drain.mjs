// The reference: a Node BullMQ worker draining a pre-loaded queue.
// Usage: node drain.mjs <redisUrl> <queue> <jobs> <concurrency> <noop|sleep10>
// Clock: worker construction → the last 'completed' event. Latency: handler start → 'completed'.
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queueName, jobsText, concurrencyText, handlerKind] = process.argv.slice(2);
const jobs = Number(jobsText);
const sleepMs = handlerKind === 'sleep10' ? 10 : 0;
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const starts = new Map();
const latencies = [];
let finish;
const finished = new Promise((resolve) => { finish = resolve; });

const cpuBefore = process.cpuUsage();
const clockStart = performance.now();
const worker = new Worker(
  queueName,
  async (job) => {
    starts.set(job.id, performance.now());
    if (sleepMs) await new Promise((resolve) => setTimeout(resolve, sleepMs));
    return null;
  },
  { connection, concurrency: Number(concurrencyText) },
);
worker.on('completed', (job) => {
  latencies.push(performance.now() - starts.get(job.id));
  starts.delete(job.id);
  if (latencies.length === jobs) finish();
});
await finished;
const seconds = (performance.now() - clockStart) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await worker.close();
await connection.quit();
console.log(JSON.stringify({
  jobs, seconds, cpu_s: (cpu.user + cpu.system) / 1e6,
  peak_rss_kb: process.resourceUsage().maxRSS, latencies_ms: latencies,
}));
