import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/** A kafkajs client whose logs go through our pino logger (and so through its redaction). */
export function createKafka(options: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  const { logger } = options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const child = { kafka: extra };
        if (level <= logLevel.ERROR) logger.error(child, `kafka: ${message}`);
        else if (level === logLevel.WARN) logger.warn(child, `kafka: ${message}`);
        else logger.debug(child, `kafka: ${message}`);
      },
  });
}
