// Reference data the central API administers and every workstation keeps to work offline:
// the deadline rules in force (one row), the published knowledge base, and the metadata of
// attachments on cached cases (their content is fetched when a case is opened).
export const migration005 = `
CREATE TABLE reference_data (
  key TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  data_json TEXT NOT NULL
);

-- Published articles and scripts only; search runs over them with the shared ranking.
CREATE TABLE knowledge_articles (
  id TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data_json TEXT NOT NULL
);

CREATE TABLE case_attachments (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);
`;
