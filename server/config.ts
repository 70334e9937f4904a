// The central API's settings, from environment variables, checked once at start: a typo in
// a deployment fails loudly with every bad variable named, instead of running on a default.
import { z } from 'zod';

export const DEFAULT_DATA_DIR = '.data/server';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Seed sizes: `demo` is the small fixed set the tests and screenshots know. */
export const SEED_SCALES = ['demo', 'full'] as const;
export type SeedScale = (typeof SEED_SCALES)[number];

const flag = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const normal = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(normal)) return true;
      if (['false', '0', 'no', 'off'].includes(normal)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got "${value}"` });
      return z.NEVER;
    });

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max}, got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    });

const EnvSchema = z.object({
  PORT: integer('PORT', 4010, 0, 65535),
  HOST: z
    .string()
    .optional()
    .transform((value) => value?.trim() || '127.0.0.1'),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined)
    .refine((value) => value === undefined || /^postgres(ql)?:\/\/\S+$/.test(value), {
      message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
    }),
  DATA_DIR: z
    .string()
    .optional()
    .transform((value) => value?.trim() || DEFAULT_DATA_DIR),
  // HS256 is only as strong as its key: a short secret can be guessed offline from one token.
  JWT_SECRET: z
    .string()
    .optional()
    .transform((value) => value || undefined)
    .refine((value) => value === undefined || value.length >= 32, {
      message: 'JWT_SECRET must be at least 32 characters',
    }),
  SEED_DEMO: flag('SEED_DEMO', true),
  SEED_SCALE: z
    .string()
    .optional()
    .transform((value) => value?.trim().toLowerCase() || 'demo')
    .pipe(z.enum(SEED_SCALES, { message: `SEED_SCALE must be one of ${SEED_SCALES.join(', ')}` })),
  SEED: integer('SEED', 20261101, 0, 2 ** 32 - 1),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((value) => value?.trim().toLowerCase() || 'info')
    .pipe(z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })),
  SHUTDOWN_GRACE_MS: integer('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
});

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  jwtSecret: string | undefined;
  seedDemo: boolean;
  seedScale: SeedScale;
  seed: number;
  logLevel: LogLevel;
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the settings from an environment (process.env by default); throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) =>
        // Our own messages name the variable; zod's generic ones get it prefixed.
        /^[A-Z_]+ /.test(issue.message)
          ? issue.message
          : `${issue.path.join('.')}: ${issue.message}`,
      ),
    );
  }
  const value = parsed.data;
  return {
    port: value.PORT,
    host: value.HOST,
    databaseUrl: value.DATABASE_URL,
    dataDir: value.DATA_DIR,
    jwtSecret: value.JWT_SECRET,
    seedDemo: value.SEED_DEMO,
    seedScale: value.SEED_SCALE,
    seed: value.SEED,
    logLevel: value.LOG_LEVEL,
    shutdownGraceMs: value.SHUTDOWN_GRACE_MS,
  };
}
