import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics of the ingest path, on a registry of their own (served at /metrics). */
export interface IngestMetrics {
  registry: Registry;
  eventsAccepted: Counter<'type'>;
  eventsRejected: Counter<'code'>;
  eventsStored: Counter;
  eventsDeduplicated: Counter;
  eventsSuppressed: Counter;
  deadLettered: Counter<'reason'>;
  consumerLag: Gauge<'partition'>;
  queueDepthEvents: Gauge;
  queueDepthBytes: Gauge;
  requestDuration: Histogram<'route' | 'status'>;
  kafkaPublishDuration: Histogram;
  kafkaSendDuration: Histogram;
}

export function createIngestMetrics(): IngestMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sextant_' });
  return {
    registry,
    eventsAccepted: new Counter({ name: 'sextant_events_accepted_total', help: 'Events acknowledged (durable in the queue)', labelNames: ['type'], registers: [registry] }),
    eventsRejected: new Counter({ name: 'sextant_events_rejected_total', help: 'Events or requests rejected, by error code', labelNames: ['code'], registers: [registry] }),
    eventsStored: new Counter({ name: 'sextant_events_stored_total', help: 'Events inserted into ClickHouse', registers: [registry] }),
    eventsDeduplicated: new Counter({ name: 'sextant_events_deduplicated_total', help: 'Redelivered events dropped by messageId', registers: [registry] }),
    eventsSuppressed: new Counter({ name: 'sextant_events_suppressed_total', help: 'Events of deleted (suppressed) shoppers dropped by the loader', registers: [registry] }),
    deadLettered: new Counter({ name: 'sextant_dead_letter_total', help: 'Events sent to the dead-letter sink (topic or file), by reason', labelNames: ['reason'], registers: [registry] }),
    consumerLag: new Gauge({ name: 'sextant_kafka_consumer_lag', help: 'Messages in the events topic not yet loaded, per partition', labelNames: ['partition'], registers: [registry] }),
    queueDepthEvents: new Gauge({ name: 'sextant_queue_depth_events', help: 'Events accepted but not yet stored', registers: [registry] }),
    queueDepthBytes: new Gauge({ name: 'sextant_queue_depth_bytes', help: 'Bytes accepted but not yet stored', registers: [registry] }),
    requestDuration: new Histogram({
      name: 'sextant_ingest_request_duration_seconds',
      help: 'Tracking API latency, from request to acknowledgement',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    kafkaPublishDuration: new Histogram({
      name: 'sextant_kafka_publish_duration_seconds',
      help: "A request's events from handing them to the Kafka publisher to Kafka's acknowledgement (waiting for a producer included)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    kafkaSendDuration: new Histogram({
      name: 'sextant_kafka_send_duration_seconds',
      help: 'One producer send (the requests gathered into it) until Kafka acknowledged it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
