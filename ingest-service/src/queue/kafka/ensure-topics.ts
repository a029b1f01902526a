import type { Kafka } from 'kafkajs';

/** Creates the events and dead-letter topics when missing; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number, replication: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: replication })),
    });
  } finally {
    await admin.disconnect();
  }
}
