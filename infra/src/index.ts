/** @sextant/infra: the Docker-less Kafka broker for development and CI, docker compose, deployment files (issue 3). Filled by later issues; present now so the workspace builds and tests. */
export const packageInfo = { name: '@sextant/infra', role: 'the Docker-less Kafka broker for development and CI, docker compose, deployment files (issue 3)' } as const;
