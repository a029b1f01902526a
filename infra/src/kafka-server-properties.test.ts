import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, newClusterId, parseClusterId, renderServerProperties } from './kafka-server-properties.js';

function parse(properties: string): Map<string, string> {
  const lines = properties.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return new Map(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('renderServerProperties', () => {
  const props = parse(renderServerProperties({ host: '127.0.0.1', port: 19092, controllerPort: 19093, logDir: '/data/kafka/kraft-combined-logs' }));

  it.each([
    ['process.roles', 'broker,controller'],
    ['node.id', '1'],
    ['controller.quorum.voters', '1@127.0.0.1:19093'],
    ['listeners', 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093'],
    ['controller.listener.names', 'CONTROLLER'],
    ['log.dirs', '/data/kafka/kraft-combined-logs'],
    ['num.partitions', '1'],
    ['auto.create.topics.enable', 'false'],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['group.initial.rebalance.delay.ms', '0'],
    // A restart after kill -9 waits for the old session to expire (DUPLICATE_BROKER_REGISTRATION).
    ['broker.session.timeout.ms', '3000'],
    ['broker.heartbeat.interval.ms', '1000'],
  ])('sets %s=%s', (key, value) => {
    expect(props.get(key)).toBe(value);
  });

  it('uses a static voter line, so storage is formatted without --standalone', () => {
    expect(props.has('controller.quorum.bootstrap.servers')).toBe(false);
  });

  it('writes Windows paths with forward slashes (backslash is an escape in .properties)', () => {
    const win = parse(renderServerProperties({ host: '127.0.0.1', port: 1, controllerPort: 2, logDir: 'C:\\kafka\\logs' }));
    expect(win.get('log.dirs')).toBe('C:/kafka/logs');
  });
});

describe('newClusterId', () => {
  it('makes 22-character URL-safe ids (16 bytes) that never start with "-"', () => {
    const ids = Array.from({ length: 2000 }, newClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('parseClusterId', () => {
  it.each([
    ['#\n#Thu Jan 01 00:00:00 UTC 2026\nnode.id=1\ndirectory.id=abc\nversion=1\ncluster.id=FVR3m01FF-mwg4wQOh1czQ\n', 'FVR3m01FF-mwg4wQOh1czQ'],
    ['version=1\nnode.id=1\n', undefined],
  ])('reads cluster.id from meta.properties', (text, id) => {
    expect(parseClusterId(text)).toBe(id);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound', async () => {
    const port = await freePort('127.0.0.1');
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });
});
