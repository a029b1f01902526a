import { DevBrokerError } from './errors.js';
import { isDockerAvailable, isJavaAndMavenAvailable } from './host-tools.js';
import { startDevBroker, type DevBroker } from './kafka-dev-broker.js';

/** Where a test's Kafka comes from, in the order they are tried. */
export type TestKafkaSource = 'env' | 'dev-broker' | 'testcontainers' | 'none';

export interface TestKafka {
  /** Bootstrap servers; empty when `skipReason` is set. */
  brokers: string[];
  /** The dev broker when this helper started one (tests may stop, kill and restart it). */
  broker?: DevBroker;
  source: TestKafkaSource;
  /** Set when no Kafka can be had outside CI: the test should `ctx.skip(skipReason)`. */
  skipReason?: string;
  /** Stops what this helper started; a broker from KAFKA_BROKERS is left alone. */
  stop(): Promise<void>;
}

export interface TestKafkaProbes {
  javaAndMaven: () => boolean;
  docker: () => boolean;
}

/** The Confluent image @testcontainers/kafka expects (Kafka 3.9; KRaft). */
export const TESTCONTAINERS_KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.1';

const HOW_TO_GET_KAFKA =
  'set KAFKA_BROKERS to a running broker (npm run kafka:start prints one), install Java 17+ and Maven 3.8+ for the Docker-less dev broker, or run a Docker engine';

/**
 * Decides where a test's Kafka comes from: KAFKA_BROKERS, else the Docker-less dev broker (Java +
 * Maven), else testcontainers (a Docker engine), else none. Without any, CI fails (a missing broker
 * there is a broken pipeline, not a reason to skip) and a laptop skips with the reason.
 */
export function chooseTestKafkaSource(
  env: { KAFKA_BROKERS?: string | undefined; CI?: string | undefined },
  probes: TestKafkaProbes,
): { source: Exclude<TestKafkaSource, 'none'> } | { source: 'none'; skipReason: string } {
  if (env.KAFKA_BROKERS !== undefined && env.KAFKA_BROKERS.trim() !== '') return { source: 'env' };
  if (probes.javaAndMaven()) return { source: 'dev-broker' };
  if (probes.docker()) return { source: 'testcontainers' };
  const skipReason = `no Kafka for this test: ${HOW_TO_GET_KAFKA}`;
  if (env.CI === 'true' || env.CI === '1') throw new DevBrokerError('NO_TEST_KAFKA', `CI=${env.CI} and ${skipReason}`);
  return { source: 'none', skipReason };
}

/**
 * A Kafka for integration tests. Use it in `beforeAll`, call `stop()` in `afterAll`, and skip when
 * it says so:
 *
 *   let kafka: TestKafka;
 *   beforeAll(async () => { kafka = await getTestKafka(); });
 *   afterAll(() => kafka?.stop());
 *   it('...', (ctx) => { if (kafka.skipReason) ctx.skip(kafka.skipReason); ... });
 *
 * Topics are not created automatically (`auto.create.topics.enable=false` on the dev broker):
 * create the ones a test needs, under names unique to it when several tests share a broker.
 */
export async function getTestKafka(
  env: { KAFKA_BROKERS?: string | undefined; CI?: string | undefined } = process.env,
  probes: TestKafkaProbes = { javaAndMaven: isJavaAndMavenAvailable, docker: isDockerAvailable },
): Promise<TestKafka> {
  const choice = chooseTestKafkaSource(env, probes);
  switch (choice.source) {
    case 'env': {
      const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
      return { source: 'env', brokers, stop: async () => undefined };
    }
    case 'dev-broker': {
      const broker = await startDevBroker();
      return { source: 'dev-broker', brokers: broker.brokers, broker, stop: () => broker.close() };
    }
    case 'testcontainers':
      return startKafkaContainer();
    case 'none':
      return { source: 'none', brokers: [], skipReason: choice.skipReason, stop: async () => undefined };
  }
}

// Loaded only on this path: @testcontainers/kafka is a dev dependency of @sextant/infra, ~150 packages.
// Not run on the machines this was written on (no Docker engine there).
async function startKafkaContainer(): Promise<TestKafka> {
  let module: typeof import('@testcontainers/kafka');
  try {
    module = await import('@testcontainers/kafka');
  } catch (err) {
    throw new DevBrokerError('TESTCONTAINERS_UNAVAILABLE', `a Docker engine answers but @testcontainers/kafka could not be loaded (run npm ci with dev dependencies), or ${HOW_TO_GET_KAFKA}`, { cause: err });
  }
  const container = await new module.KafkaContainer(TESTCONTAINERS_KAFKA_IMAGE)
    .withKraft()
    .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
    .start();
  return {
    source: 'testcontainers',
    brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    stop: async () => {
      await container.stop();
    },
  };
}
