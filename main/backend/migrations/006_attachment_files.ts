// Files agents attach on this workstation and files fetched for preview: the upload queue
// (sent in order once the API answers, kept with the API's reason when refused) and the
// content cache, keyed by SHA-256 as on the server so that the same bytes are kept once.
export const migration006 = `
CREATE TABLE attachment_uploads (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  case_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  meta_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'uploaded', 'refused')),
  refusal_code TEXT,
  refusal_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachment_uploads_case ON attachment_uploads (case_id);
CREATE INDEX attachment_uploads_waiting ON attachment_uploads (state, seq);

CREATE TABLE attachment_files (
  sha256 TEXT PRIMARY KEY,
  content BLOB NOT NULL,
  cached_at TEXT NOT NULL
);
`;
