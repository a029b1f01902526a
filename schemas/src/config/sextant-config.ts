import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intFromEnv = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/**
 * Every environment variable Sextant reads, with defaults. Parsed once at start-up; code after that
 * receives the typed result, never `process.env`. The README's configuration table mirrors this.
 */
export const sextantEnvSchema = z.object({
  PORT: intFromEnv(0, 65535).default(8080),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEXTANT_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  SEXTANT_WRITE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_\-]{8,128}$/, 'must be 8-128 letters, digits, "-" or "_"')
    .optional(),
  SEXTANT_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (use `openssl rand -hex 32`)').optional(),
  CLICKHOUSE_URL: z
    .url({ message: 'must be a URL such as http://user:password@localhost:8123/default' })
    .optional(),
  SEXTANT_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): boolean | number | string[] => {
      if (v === 'true' || v === 'false') return v === 'true';
      if (/^\d+$/.test(v)) return Number(v);
      const list = v.split(',').map((s) => s.trim()).filter(Boolean);
      if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count or a list of proxy addresses' });
      return list;
    }),
  SEXTANT_ANONYMIZE_IP: booleanFromEnv.default(false),
  SEXTANT_CORS_ORIGINS: z.string().default('*'),
  /** Bytes of accepted-but-not-yet-loaded events held in memory before ingest answers 503. */
  SEXTANT_QUEUE_MAX_BYTES: intFromEnv(1 << 20, 2 ** 40).default(128 * 1024 * 1024),
  /** How often the loader drains the embedded queue into ClickHouse. */
  SEXTANT_FLUSH_INTERVAL_MS: intFromEnv(10, 60_000).default(1000),
  /** A drain starts early once this many events wait; also the most events per insert from Kafka. */
  SEXTANT_FLUSH_MAX_EVENTS: intFromEnv(1, 1_000_000).default(50_000),
  /** How many recent message ids the loader remembers to drop redeliveries. */
  SEXTANT_DEDUP_WINDOW_IDS: intFromEnv(1000, 20_000_000).default(1_000_000),
  /** How stale the loader's copy of the suppression list (deleted shoppers) may get before a batch, in ms. */
  SEXTANT_SUPPRESSION_REFRESH_MS: intFromEnv(0, 3_600_000).default(10_000),
  /** Kafka bootstrap servers (`host:port,host:port`). Set: the queue is Kafka; unset: the embedded log. */
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'must be host:port[,host:port...]')
    .transform((v) => v.split(','))
    .optional(),
  SEXTANT_KAFKA_CLIENT_ID: z.string().min(1).default('sextant'),
  SEXTANT_KAFKA_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a valid Kafka topic name').default('sextant.events'),
  SEXTANT_KAFKA_DLQ_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a valid Kafka topic name').default('sextant.events.dlq'),
  SEXTANT_KAFKA_GROUP: z.string().min(1).default('sextant-loader'),
  /** Partitions and replication of the topics created at start-up (existing topics are left as they are). */
  SEXTANT_KAFKA_PARTITIONS: intFromEnv(1, 10_000).default(6),
  SEXTANT_KAFKA_REPLICATION: intFromEnv(1, 10).default(1),
  /** Most bytes the loader fetches per partition at once (kafkajs maxBytesPerPartition). */
  SEXTANT_KAFKA_MAX_FETCH_BYTES: intFromEnv(1024, 1 << 30).default(16 * 1024 * 1024),
  /** Longest a tracking request waits for Kafka's acknowledgement before answering 503. */
  SEXTANT_PUBLISH_TIMEOUT_MS: intFromEnv(100, 120_000).default(5000),
  /** Port of the loader role's HTTP server (health, metrics, admin API). */
  SEXTANT_LOADER_PORT: intFromEnv(0, 65535).default(8081),
  /** Path at which the server serves the browser SDK's one-file script (a neutral name survives ad blockers). */
  SEXTANT_SDK_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+\.js$/, 'must be a path ending in .js, such as /sdk/sextant.js or /assets/app.js')
    .default('/sdk/sextant.js'),
  /** An extra path prefix under which the tracking API is also served (`/px` → `/px/v1/batch`), for first-party proxying. */
  SEXTANT_TRACKING_PREFIX: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must be a path such as /px (no trailing slash)')
    .refine((v) => !v.startsWith('/v1') && !v.startsWith('/api'), 'must not start with /v1 or /api')
    .optional(),
  /** Key that encrypts destination secrets (tokens) at rest with AES-256-GCM: 64 hex chars or 32+ random characters (`openssl rand -hex 32`). */
  SEXTANT_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (use `openssl rand -hex 32`)').optional(),
});

export type SextantEnv = z.infer<typeof sextantEnvSchema>;
