/**
 * @sextant/infra: a Kafka broker for development and CI without Docker (startDevBroker), the choice
 * of Kafka for integration tests (getTestKafka), and the tools probes they rest on. docker-compose.yml
 * and the Dockerfile beside this folder cover hosts with Docker.
 */
export { startDevBroker, DEV_BROKER_HOST, type DevBroker, type DevBrokerOptions } from './kafka-dev-broker.js';
export { devBrokerStatus, stopDevBrokerInDir, readRunningPid, devBrokerPidFile, DEV_BROKER_FILES, type DevBrokerStatus } from './dev-broker-dir.js';
export { ensureKafkaJars, kafkaVersion, KAFKA_POM_FILE, DEFAULT_KAFKA_LIBS_DIR } from './kafka-jars.js';
export { renderServerProperties, newClusterId, type ServerPropertiesInput } from './kafka-server-properties.js';
export { isJavaAndMavenAvailable, isJavaAvailable, isMavenAvailable, isDockerAvailable } from './host-tools.js';
export { isKafkaBrokerProcess, terminatePid } from './broker-process.js';
export { getTestKafka, chooseTestKafkaSource, TESTCONTAINERS_KAFKA_IMAGE, type TestKafka, type TestKafkaSource, type TestKafkaProbes } from './test-kafka.js';
export { DevBrokerError, DEV_BROKER_ERROR_CODES, type DevBrokerErrorCode } from './errors.js';
