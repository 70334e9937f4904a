// The audit trail of administration: every change an administrator makes to people, places,
// shifts, workstations, knowledge or deadline rules, with its before and after, written in
// the same transaction as the change (migration 008; the database refuses rewrites).
import type { Db } from './db';

export interface AdminChange {
  actor: { id: string; clientId: string | null };
  entity: 'person' | 'team' | 'branch' | 'shift' | 'workstation' | 'knowledge' | 'deadline_rules';
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

/** Never a password or its hash: those leave the record before it is written. */
const SECRET_FIELDS = new Set(['password', 'password_hash', 'passwordHash']);

function withoutSecrets(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value ?? null;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([key]) => !SECRET_FIELDS.has(key)),
  );
}

export async function recordAdminChange(tx: Db, change: AdminChange): Promise<void> {
  await tx.query(
    `insert into admin_history (actor_id, client_id, entity, entity_id, action, before, after)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      change.actor.id,
      change.actor.clientId,
      change.entity,
      change.entityId,
      change.action,
      JSON.stringify(withoutSecrets(change.before)),
      JSON.stringify(withoutSecrets(change.after)),
    ],
  );
}
