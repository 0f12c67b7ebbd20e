// Enqueue jobs exactly as login.dfe.jobs-client does: job name == queue name, retention options only.
// Usage: node produce.mjs <redisUrl> <queue> '<JSON array of job data>' [traceparent]
//   → prints the job ids as JSON. With a W3C traceparent, the queue gets a `telemetry` option
//   whose context manager hands bullmq that trace, as bullmq-otel does, so bullmq stores it in
//   the job exactly as a traced producer's (opts.tm, a JSON carrier).
import { Queue } from 'bullmq';
import IORedis from 'ioredis';

const [redisUrl, queueName, dataJson, traceparent] = process.argv.slice(2);
const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
const span = {
  setSpanOnContext: (context) => context, setAttribute() {}, setAttributes() {}, addEvent() {},
  recordException() {}, end() {},
};
const telemetry = traceparent && {
  tracer: { startSpan: () => span },
  contextManager: {
    active: () => ({}),
    with: (context, fn) => fn(),
    getMetadata: () => JSON.stringify({ traceparent }),
    fromMetadata: (context) => context,
  },
};
const queue = new Queue(queueName, { connection, ...(telemetry && { telemetry }) });
const options = { removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 43200 } };
const ids = [];
for (const data of JSON.parse(dataJson)) {
  const job = await queue.add(queueName, data, options);
  ids.push(job.id);
}
console.log(JSON.stringify(ids));
await queue.close();
await connection.quit();
