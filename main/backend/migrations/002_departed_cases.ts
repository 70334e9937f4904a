// Cases that left this user's scope (reassigned away, moved to another team): the server
// said "remove" in a pull, the case and its notes are gone from the cache, and this row
// remembers it, so that the outbox work still queued on the case is explained when the
// server refuses it (CASE_LEFT_SCOPE) instead of showing a bare FORBIDDEN.
export const migration002 = `
CREATE TABLE departed_cases (
  case_id TEXT PRIMARY KEY,
  number TEXT,
  left_at TEXT NOT NULL
);
`;
