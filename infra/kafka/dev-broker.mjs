// The development Kafka broker from the command line, without Docker:
//   npm run kafka:start    (tsx infra/kafka/dev-broker.mjs start)
//   npm run kafka:status
//   npm run kafka:stop
// Runs through tsx (a root dev dependency) so it needs no build: it imports the TypeScript sources.
// Options: --data-dir <dir> (default ./data/kafka at the repo root), --port (9092), --controller-port (9093).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DevBrokerError, devBrokerStatus, startDevBroker, stopDevBrokerInDir } from '../src/index.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'data-dir': { type: 'string', default: path.join(repoRoot, 'data', 'kafka') },
    port: { type: 'string', default: '9092' },
    'controller-port': { type: 'string', default: '9093' },
  },
});
const dataDir = path.resolve(values['data-dir']);
const command = positionals[0] ?? 'start';
const shown = path.relative(process.cwd(), dataDir) || '.';

async function start() {
  const status = devBrokerStatus(dataDir);
  if (status.running) {
    console.log(`Kafka already runs from ${shown} (pid ${status.pid})`);
    console.log(`KAFKA_BROKERS=${status.brokers?.join(',') ?? '?'}`);
    return 0;
  }
  const started = Date.now();
  const broker = await startDevBroker({
    dataDir,
    port: Number(values.port),
    controllerPort: Number(values['controller-port']),
    outliveProcess: true,
  });
  console.log(`Kafka ${broker.brokers.join(',')} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${broker.pid}, data ${shown}, log ${path.relative(process.cwd(), broker.logFile)})`);
  console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`);
  return 0;
}

async function stop() {
  const { pid, outcome } = await stopDevBrokerInDir(dataDir);
  console.log(outcome === 'not-running' ? `no Kafka runs from ${shown}` : `Kafka (pid ${pid}) ${outcome === 'killed' ? 'did not stop on SIGTERM and was killed' : 'stopped'}`);
  return 0;
}

function status() {
  const s = devBrokerStatus(dataDir);
  console.log(s.running ? `Kafka runs from ${shown} (pid ${s.pid})\nKAFKA_BROKERS=${s.brokers?.join(',') ?? '?'}` : `no Kafka runs from ${shown}`);
  return s.running ? 0 : 3;
}

const commands = { start, stop, status };
if (!(command in commands)) {
  console.error(`usage: dev-broker.mjs start|stop|status [--data-dir dir] [--port 9092] [--controller-port 9093]`);
  process.exit(2);
}
try {
  process.exit(await commands[command]());
} catch (err) {
  console.error(err instanceof DevBrokerError ? `kafka ${command}: ${err.message}` : err);
  process.exit(1);
}
