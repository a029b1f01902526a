import type { Kafka } from 'kafkajs';

/** Creates the events and dead-letter topics when missing; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number, replication: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: replication })),
      });
    }
    // A just-created topic can briefly answer "does not host this topic-partition": wait (bounded)
    // until every partition reports a leader, so the first produce and fetch do not race it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      if (Date.now() > deadline) throw new Error(`Kafka topics ${topics.join(', ')} have no leaders after 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
