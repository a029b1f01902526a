import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

/** The one node of the development cluster: broker and KRaft controller in one process. */
export const DEV_NODE_ID = 1;

export interface ServerPropertiesInput {
  host: string;
  port: number;
  controllerPort: number;
  logDir: string;
}

/**
 * A single-node KRaft `server.properties` (see shared/specs/kafka-dev-broker.md). The short broker
 * session lets a broker restarted after `kill -9` register again in ~5 s instead of 12–14 s: until
 * the old session expires the controller refuses it with DUPLICATE_BROKER_REGISTRATION.
 */
export function renderServerProperties(input: ServerPropertiesInput): string {
  const { host, port, controllerPort, logDir } = input;
  return [
    '# Written by @sextant/infra startDevBroker on every start; edits are overwritten.',
    'process.roles=broker,controller',
    `node.id=${DEV_NODE_ID}`,
    `controller.quorum.voters=${DEV_NODE_ID}@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    // Java's properties format treats backslashes as escapes (Windows paths).
    `log.dirs=${logDir.replaceAll('\\', '/')}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=1000',
    '',
  ].join('\n');
}

/**
 * A KRaft cluster id made in Node instead of a JVM start (`StorageTool random-uuid`): 16 random bytes
 * in URL-safe base64, drawn again if it starts with "-" (a command line would read it as a flag).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The `cluster.id` line of a formatted log dir's meta.properties, if any. */
export function parseClusterId(metaProperties: string): string | undefined {
  return /^cluster\.id=(.+)$/m.exec(metaProperties)?.[1]?.trim();
}

/** A TCP port free on `host` right now (the OS picks it). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
