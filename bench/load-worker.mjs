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

/**
 * Fixed-rate load with requests spread evenly over each second (autocannon's overallRate sends each
 * second's quota in a burst at its start, which measures the burst's queueing, not the server).
 * Latency counts from when a request was due, so a late send is not hidden (no coordinated omission).
 */
async function pacedRun() {
  const http = await import('node:http');
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const rate = options.overallRate;
  const total = Math.round(rate * durationS);
  const latencies = [];
  const statusCounts = {};
  let errors = 0;
  let timeouts = 0;
  const started = performance.now();
  const inflight = [];
  const send = (due) =>
    new Promise((resolve) => {
      const body = trackEventJson(new Date().toISOString());
      const req = http.request(
        { host: target.hostname, port: target.port, path: '/v1/track', method: 'POST', agent, timeout: 30_000,
          headers: { 'content-type': 'application/json', authorization: auth, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            statusCounts[res.statusCode] = (statusCounts[res.statusCode] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('timeout', () => { timeouts += 1; req.destroy(); });
      req.on('error', () => { errors += 1; resolve(); });
      req.end(body);
    });
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(send(due));
  }
  await Promise.all(inflight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
  const ok2xx = Object.entries(statusCounts).filter(([c]) => c.startsWith('2')).reduce((n, [, v]) => n + v, 0);
  return {
    duration: (performance.now() - started) / 1000,
    totalRequests: total,
    totalCompletedRequests: latencies.length,
    '2xx': ok2xx,
    non2xx: latencies.length - ok2xx,
    errors,
    timeouts,
    statusCodeStats: Object.fromEntries(Object.entries(statusCounts).map(([c, v]) => [c, { count: v }])),
    latency: { p50: pct(50), p90: pct(90), p99: pct(99), max: Math.round(latencies.at(-1) ?? 0), average: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1) },
  };
}

const startedAt = Date.now();
const result = options.paced && options.overallRate ? await pacedRun() : await autocannon({
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
    // the worker's own CPU (user + system), so a bench can tell how much of the machine the load took
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    startedAt,
    endedAt,
  })}\n`,
);
