import { sextantEnvSchema, type SextantEnv } from '@sextant/schemas';

/** A configuration problem found at start-up, with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once into a typed config. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SextantEnv {
  const input: Record<string, string> = {};
  for (const key of Object.keys(sextantEnvSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = sextantEnvSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      const got = input[key];
      const shown = key.includes('SECRET') || key === 'CLICKHOUSE_URL' ? '<hidden>' : JSON.stringify(got);
      return `${key} ${issue.message}${got === undefined ? '' : `, got ${shown}`}`;
    }),
  );
}
