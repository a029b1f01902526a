// Load generator, run as its own process so that generating load never shares a CPU thread with the
// server it measures. Usage: node bench/load-worker.mjs '<json options>'
//   { scenario: 'batch' | 'track', url, writeKey, connections, durationS, eventsPerRequest?,
//     overallRate?, idPrefix }
// Prints one JSON object with autocannon's figures on stdout (logs go to stderr), with `startedAt` /
// `endedAt` (epoch ms around the load) and `idsGenerated` (messageIds `<idPrefix>-1` ... `-<n>` put in
// requests, answered or not).
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}');
const { scenario, url, writeKey, connections, durationS, idPrefix } = options;
if (!['batch', 'track'].includes(scenario) || !url || !writeKey || !idPrefix) {
  process.stderr.write(`load-worker: bad options ${process.argv[2]}\n`);
  process.exit(2);
}

let sequence = 0;
/** One track event as JSON text, with a messageId unique across the whole run. */
function trackEventJson(now) {
  sequence += 1;
  const n = sequence;
  return (
    `{"type":"track","event":"Product Viewed","userId":"bench-user-${n % 5000}","messageId":"${idPrefix}-${n}",` +
    `"timestamp":"${now}","properties":{"product_id":"sku-${n % 200}","price":19.9,"currency":"EUR"},` +
    `"context":{"page":{"url":"https://shop.example/p/${n % 200}?utm_source=facebook&utm_medium=paid_social"}}}`
  );
}

function batchBody(size) {
  const now = new Date().toISOString();
  const events = new Array(size);
  for (let i = 0; i < size; i++) events[i] = trackEventJson(now);
  return `{"batch":[${events.join(',')}]}`;
}

const request =
  scenario === 'batch'
    ? { method: 'POST', path: '/v1/batch', setupRequest: (req) => ({ ...req, body: batchBody(options.eventsPerRequest ?? 100) }) }
    : { method: 'POST', path: '/v1/track', setupRequest: (req) => ({ ...req, body: trackEventJson(new Date().toISOString()) }) };

const startedAt = Date.now();
const result = await autocannon({
  url,
  connections,
  duration: durationS,
  timeout: 30,
  headers: {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
  },
  requests: [request],
  ...(options.overallRate
    ? {
        overallRate: options.overallRate,
        // autocannon "corrects" latencies with an expected interval of ceil(1 / rate) ms, i.e. 1 ms
        // whatever the rate, which adds made-up samples below each real one: report real ones.
        ignoreCoordinatedOmission: true,
      }
    : {}),
});

const endedAt = Date.now();
const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, Number(v.count)]));
process.stdout.write(
  `${JSON.stringify({
    scenario,
    connections,
    durationS: result.duration,
    requestsSent: result.totalRequests,
    responses: result.totalCompletedRequests,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      average: result.latency.average,
    },
    idsGenerated: sequence,
    startedAt,
    endedAt,
  })}\n`,
);
