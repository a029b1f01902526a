import { describe, expect, it } from 'vitest';
import { chooseTestKafkaSource, getTestKafka } from './test-kafka.js';

const probes = (javaAndMaven: boolean, docker: boolean) => ({ javaAndMaven: () => javaAndMaven, docker: () => docker });

describe('chooseTestKafkaSource', () => {
  it.each([
    // env,                                      java+mvn, docker, expected source
    [{ KAFKA_BROKERS: 'k1:9092' }, true, true, 'env'],
    [{ KAFKA_BROKERS: 'k1:9092', CI: 'true' }, false, false, 'env'],
    [{ KAFKA_BROKERS: ' ' }, true, false, 'dev-broker'],
    [{}, true, true, 'dev-broker'],
    [{ CI: 'true' }, false, true, 'testcontainers'],
    [{}, false, false, 'none'],
  ] as const)('%j with java+mvn=%s docker=%s → %s', (env, javaAndMaven, docker, source) => {
    expect(chooseTestKafkaSource(env, probes(javaAndMaven, docker)).source).toBe(source);
  });

  it('skips with a reason that says how to get a broker, outside CI', () => {
    const choice = chooseTestKafkaSource({}, probes(false, false));
    expect(choice).toMatchObject({ source: 'none', skipReason: expect.stringContaining('KAFKA_BROKERS') });
  });

  it.each(['true', '1'])('fails under CI=%s when no broker can be had', (ci) => {
    expect(() => chooseTestKafkaSource({ CI: ci }, probes(false, false))).toThrow(expect.objectContaining({ code: 'NO_TEST_KAFKA' }));
  });

  it('does not probe for tools when KAFKA_BROKERS is set', () => {
    const boom = () => {
      throw new Error('probed');
    };
    expect(chooseTestKafkaSource({ KAFKA_BROKERS: 'k1:9092' }, { javaAndMaven: boom, docker: boom }).source).toBe('env');
  });
});

describe('getTestKafka', () => {
  it('uses KAFKA_BROKERS as given and leaves that broker alone on stop()', async () => {
    const kafka = await getTestKafka({ KAFKA_BROKERS: 'k1:9092, k2:9092' }, probes(true, true));
    expect(kafka).toMatchObject({ source: 'env', brokers: ['k1:9092', 'k2:9092'] });
    expect(kafka.broker).toBeUndefined();
    await kafka.stop();
  });

  it('returns a skip reason and no brokers when nothing is available outside CI', async () => {
    const kafka = await getTestKafka({}, probes(false, false));
    expect(kafka.brokers).toEqual([]);
    expect(kafka.skipReason).toMatch(/no Kafka for this test/);
  });
});
