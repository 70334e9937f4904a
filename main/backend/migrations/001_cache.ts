// The first local schema: server rows with their rebased view, notes, the outbox and meta.
export const migration001 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- server_json: the last row the server sent (null for a case created here and not yet pulled);
-- created_json: the record as first created here, to replay pending events on until then;
-- view_json: that row with the pending outbox replayed on top: what the agent sees.
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  server_json TEXT,
  view_json TEXT NOT NULL,
  created_json TEXT,
  pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_owner_updated ON cases (owner_id, updated_at DESC);
CREATE UNIQUE INDEX cases_number ON cases (number);

CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  data_json TEXT NOT NULL,
  pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notes_case ON notes (case_id);

-- The only copy of work done offline. seq is contiguous per workstation and never reused.
-- state: pending (not yet answered), applied (answered, waiting for the pull that shows it),
-- rejected (refused by the server: kept for the agent to redo or discard).
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  case_id TEXT NOT NULL,
  args_json TEXT NOT NULL,
  actor_json TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected')),
  reject_code TEXT,
  reject_message TEXT
);
CREATE INDEX outbox_case ON outbox (case_id);
`;
