// What the agent decided about each refused mutation (redo, keep as a note, discard): the
// outbox row leaves, this row stays, so nothing the agent typed disappears without a trace.
export const migration003 = `
CREATE TABLE conflict_log (
  mutation_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  case_id TEXT NOT NULL,
  args_json TEXT NOT NULL,
  reject_code TEXT,
  decision TEXT NOT NULL CHECK (decision IN ('retry', 'note', 'discard')),
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL
);
`;
