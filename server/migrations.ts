// Applies server/migrations/NNN_name.sql in order, each in its own transaction, recording
// each in schema_migrations so that startup can run them every time.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db';

/**
 * Next to this file when run from source (tsx, vitest); from the working directory when a
 * bundler has moved this code away from its .sql files (the desktop app's build).
 */
export const MIGRATIONS_DIR =
  [
    fileURLToPath(new URL('./migrations/', import.meta.url)),
    join(process.cwd(), 'server', 'migrations'),
  ].find((dir) => existsSync(join(dir, '001_init.sql'))) ??
  fileURLToPath(new URL('./migrations/', import.meta.url));

/** Any constant shared by every API process: they may start together on one database. */
const MIGRATION_LOCK_KEY = 4_010_001;

export async function runMigrations(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => /^\d{3}_[\w-]+\.sql$/.test(name)).sort();
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
  });
  const applied: string[] = [];
  for (const name of files) {
    const version = Number(name.slice(0, 3));
    const sql = await readFile(join(dir, name), 'utf8');
    const didApply = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const done = await tx.query('select 1 from schema_migrations where version = $1', [version]);
      if (done.rows.length > 0) return false;
      await tx.exec(sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        version,
        name,
      ]);
      return true;
    });
    if (didApply) applied.push(name);
  }
  return applied;
}
