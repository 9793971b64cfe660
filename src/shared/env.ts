import { ConfigError } from './errors.js';

/**
 * The one door to environment variables. Config files name variables (`apiKeyEnv: OPENAI_API_KEY`),
 * never values, so a resolved config can be written into a run manifest without leaking secrets.
 */
export interface Env {
  /** A secret's value; throws a ConfigError naming the variable (never the value) when unset. */
  secret(name: string): string;
  /** An optional non-secret value (endpoint, flag). */
  value(name: string): string | undefined;
}

export function createEnv(source: Readonly<Record<string, string | undefined>> = process.env): Env {
  const snapshot = Object.freeze({ ...source });
  return {
    secret(name) {
      const value = snapshot[name];
      if (value === undefined || value === '') {
        throw new ConfigError(`environment variable ${name} is not set`, {
          fix: `export ${name}=… (the config names the variable, the value comes from the environment)`,
        });
      }
      return value;
    },
    value(name) {
      const value = snapshot[name];
      return value === '' ? undefined : value;
    },
  };
}

/** `1|0|true|false` or an error: a typo in a boolean env var must not silently mean false. */
export function parseBooleanEnv(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lowered = value.toLowerCase();
  if (lowered === '1' || lowered === 'true') return true;
  if (lowered === '0' || lowered === 'false') return false;
  throw new ConfigError(`environment variable ${name}=${JSON.stringify(value)} is not a boolean`, {
    fix: `set ${name} to 1, 0, true or false`,
  });
}
