// The workstation's local cache: one better-sqlite3 connection owned by the backend process.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migration001 } from './migrations/001_cache';
import { migration002 } from './migrations/002_departed_cases';
import { migration003 } from './migrations/003_conflict_log';
import { migration004 } from './migrations/004_queue_index';
import { migration005 } from './migrations/005_reference_data';
import { migration006 } from './migrations/006_attachment_files';
import { installCaseQueueFunctions, type DeadlineRules } from './case-queue';

export type CacheDb = Database.Database;

/** Numbered migrations; each runs once, in its own transaction, recorded in user_version. */
const MIGRATIONS: readonly string[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
];

export function openCacheDb(
  file: string,
  /** The deadline rules the queue index counts with (China's until reference data says). */
  rules?: () => DeadlineRules,
): CacheDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // The outbox is the only copy of offline work: fsync every commit.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // The queue index's triggers (migration 004) call these on every write of a case.
  installCaseQueueFunctions(db, rules);
  migrateCacheDb(db);
  return db;
}

export function migrateCacheDb(db: CacheDb): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  MIGRATIONS.forEach((sql, index) => {
    const version = index + 1;
    if (version <= current) return;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  });
}

export function cacheSchemaVersion(): number {
  return MIGRATIONS.length;
}
