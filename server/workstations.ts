// Workstations: one per install (its clientId), each with a short code that makes the case
// numbers it mints offline unique without a round trip: <site><code>-<yyMMdd>-<seq>.
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
