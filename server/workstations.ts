// Workstations: one per install (its clientId), each with a short code that makes the case
// numbers it mints offline unique without a round trip: <site><code>-<yyMMdd>-<seq>.
import type { WorkstationRecord } from '../shared/people';
import { recordAdminChange } from './admin-history';
import type { Db } from './db';

export interface WorkstationSite {
  branchCode: string | null;
  teamCode: string | null;
}

/** Where the workstation stands: the user's branch, else team, else head office. */
export function siteCodeOf(site: WorkstationSite): string {
  return (site.branchCode ?? site.teamCode ?? 'HQ').slice(0, 4);
}

/** base36 of the code sequence's value: '10'..'ZZ', handed out from 'A0'. */
function workstationCode(n: number): string {
  return n.toString(36).toUpperCase().padStart(2, '0');
}

/**
 * Registers the workstation at its first sign-in and keeps its code afterwards, whoever signs
 * in on it: the code names the machine whose outbox minted the numbers, not the person.
 */
export async function registerWorkstation(
  db: Db,
  clientId: string,
  userId: string,
  site: WorkstationSite,
): Promise<string> {
  const known = await db.query<{ code: string; site_code: string }>(
    `update workstations set user_id = $2, last_sign_in_at = now()
      where client_id = $1 returning code, site_code`,
    [clientId, userId],
  );
  let row = known.rows[0];
  if (!row) {
    const next = await db.query<{ n: string | number }>(
      "select nextval('workstation_code_seq') as n",
    );
    // A concurrent first sign-in of the same install wins; this one adopts its code.
    const inserted = await db.query<{ code: string; site_code: string }>(
      `insert into workstations (client_id, user_id, code, site_code) values ($1, $2, $3, $4)
       on conflict (client_id) do update set user_id = excluded.user_id, last_sign_in_at = now()
       returning code, site_code`,
      [clientId, userId, workstationCode(Number(next.rows[0]!.n)), siteCodeOf(site)],
    );
    row = inserted.rows[0]!;
  }
  return row.site_code + row.code;
}

interface WorkstationRow {
  client_id: string;
  site_code: string;
  code: string;
  user_id: string;
  username: string;
  registered_at: Date | string;
  last_sign_in_at: Date | string;
  revoked_at: Date | string | null;
}

const WORKSTATION_SELECT = `
  select w.client_id, w.site_code, w.code, w.user_id, u.username, w.registered_at,
         w.last_sign_in_at, w.revoked_at
    from workstations w join users u on u.id = w.user_id`;

const workstationRecord = (row: WorkstationRow): WorkstationRecord => ({
  clientId: row.client_id,
  code: row.site_code + row.code,
  lastUserId: row.user_id,
  lastUsername: row.username,
  registeredAt: new Date(row.registered_at).toISOString(),
  lastSignInAt: new Date(row.last_sign_in_at).toISOString(),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
});

export async function listWorkstations(db: Db): Promise<WorkstationRecord[]> {
  const rows = await db.query<WorkstationRow>(`${WORKSTATION_SELECT} order by w.registered_at`);
  return rows.rows.map(workstationRecord);
}

/**
 * Revokes a workstation for good (lost, stolen, decommissioned): its refresh tokens die with
 * it, and every later request, refresh or sign-in from it is answered WORKSTATION_REVOKED,
 * which tells it to wipe its cache. Revoking twice keeps the first time. Null when unknown.
 */
export async function revokeWorkstation(
  db: Db,
  clientId: string,
  revokedBy: { id: string; clientId: string | null },
): Promise<WorkstationRecord | null> {
  return db.transaction(async (tx) => {
    const before = await tx.query<WorkstationRow>(`${WORKSTATION_SELECT} where w.client_id = $1`, [
      clientId,
    ]);
    const updated = await tx.query<{ client_id: string }>(
      `update workstations set revoked_at = coalesce(revoked_at, now()),
                               revoked_by = coalesce(revoked_by, $2)
        where client_id = $1 returning client_id`,
      [clientId, revokedBy.id],
    );
    if (updated.rows.length === 0) return null;
    await tx.query(
      'update refresh_tokens set revoked_at = now() where client_id = $1 and revoked_at is null',
      [clientId],
    );
    const found = await tx.query<WorkstationRow>(`${WORKSTATION_SELECT} where w.client_id = $1`, [
      clientId,
    ]);
    const record = workstationRecord(found.rows[0]!);
    await recordAdminChange(tx, {
      actor: revokedBy,
      entity: 'workstation',
      entityId: clientId,
      action: 'revoke',
      before: before.rows[0] ? workstationRecord(before.rows[0]) : null,
      after: record,
    });
    return record;
  });
}
