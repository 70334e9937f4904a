// The agent's queue and search over the cache: a side table with one narrow row per case
// (what queues filter and sort on, and the next due instant) and two FTS5 indexes of the
// case's searchable texts. Triggers on `cases` and `notes` keep them current, so every
// write path of the case store (create, transition, pull, rebase, removal, reset) updates
// them in its own transaction, and none can forget to.
//
// Why a side table and not generated columns over view_json: the next due instant comes
// from the deadline engine (JavaScript), which a generated column cannot run; the search
// text also reads the notes table; and ALTER TABLE cannot add stored generated columns to
// an existing cache. The triggers call case_queue_fields, case_search_body and search_chars,
// registered on
// the connection by installCaseQueueFunctions (case-queue.ts) before migrating.
//
// Instants are epoch milliseconds, so "breached at now" is an integer comparison.
// due_order is next_due_ms with "none" last: the nextDue sort key an index can serve.

/** Columns read from the JSON object case_queue_fields returns (same names). */
const FIELD_COLUMNS = [
  'number',
  'owner_id',
  'team_id',
  'status',
  'priority',
  'priority_rank',
  'channel',
  'type',
  'business_line',
  'created_at',
  'updated_at',
  'next_due_ms',
  'due_order',
  'next_warn_ms',
  'paused',
  'follow_up_due_ms',
];
const EXTRACTS = FIELD_COLUMNS.map((column) => `f ->> '$.${column}'`).join(', ');

/**
 * The fields of case `id`, computed from its view. `LIMIT -1 OFFSET 0` keeps SQLite from
 * flattening this subquery into the outer one, which would copy the call into every
 * `f ->> …` and run the deadline engine once per column.
 */
const fieldsOf = (id: string) => `
  SELECT c.id, c.pending, case_queue_fields(c.view_json) AS f
  FROM cases c WHERE c.id = ${id} LIMIT -1 OFFSET 0`;

const insertEntry = (id: string) => `
  INSERT INTO case_queue (case_id, pending, ${FIELD_COLUMNS.join(', ')})
  SELECT id, pending, ${EXTRACTS} FROM (${fieldsOf(id)});`;

// Only a queue row that exists is updated.
const updateEntry = (id: string) => `
  UPDATE case_queue SET (pending, ${FIELD_COLUMNS.join(', ')}) =
    (SELECT pending, ${EXTRACTS} FROM (${fieldsOf(id)}))
  WHERE case_id = ${id};`;

/** The searchable text of the case in `c`: its fields and its notes, one per line. */
const SEARCH_BODY = `case_search_body(c.view_json,
  (SELECT group_concat(n.data_json ->> '$.text', char(10)) FROM notes n WHERE n.case_id = c.id))`;

// Both search tables take the same text; case_search_body keeps its last answer, so it is
// computed once. A case not in the queue (a note for a case not cached) indexes nothing.
const refreshSearch = (id: string) => `
  DELETE FROM case_search WHERE rowid = (SELECT row_key FROM case_queue WHERE case_id = ${id});
  DELETE FROM case_search_chars WHERE rowid = (SELECT row_key FROM case_queue WHERE case_id = ${id});
  INSERT INTO case_search (rowid, body)
    SELECT q.row_key, ${SEARCH_BODY} FROM case_queue q JOIN cases c ON c.id = q.case_id WHERE q.case_id = ${id};
  INSERT INTO case_search_chars (rowid, body)
    SELECT q.row_key, search_chars(${SEARCH_BODY}) FROM case_queue q JOIN cases c ON c.id = q.case_id WHERE q.case_id = ${id};`;

/**
 * Indexes the backlog's first cases (at most the bound parameter's count) anew, and takes
 * them off the backlog: run in a loop after a deferred bootstrap.
 */
export const CATCH_UP_CASE_QUEUE = `
CREATE TEMP TABLE IF NOT EXISTS case_queue_chunk (case_id TEXT PRIMARY KEY);
DELETE FROM temp.case_queue_chunk;
INSERT INTO temp.case_queue_chunk SELECT case_id FROM case_queue_backlog LIMIT %LIMIT%;
DELETE FROM case_search WHERE rowid IN
  (SELECT row_key FROM case_queue WHERE case_id IN (SELECT case_id FROM temp.case_queue_chunk));
DELETE FROM case_search_chars WHERE rowid IN
  (SELECT row_key FROM case_queue WHERE case_id IN (SELECT case_id FROM temp.case_queue_chunk));
DELETE FROM case_queue WHERE case_id IN (SELECT case_id FROM temp.case_queue_chunk);
INSERT INTO case_queue (case_id, pending, ${FIELD_COLUMNS.join(', ')})
  SELECT id, pending, ${EXTRACTS} FROM (
    SELECT c.id, c.pending, case_queue_fields(c.view_json) AS f FROM cases c
     WHERE c.id IN (SELECT case_id FROM temp.case_queue_chunk) LIMIT -1 OFFSET 0);
INSERT INTO case_search (rowid, body)
  SELECT q.row_key, ${SEARCH_BODY} FROM case_queue q JOIN cases c ON c.id = q.case_id
   WHERE q.case_id IN (SELECT case_id FROM temp.case_queue_chunk);
INSERT INTO case_search_chars (rowid, body)
  SELECT q.row_key, search_chars(${SEARCH_BODY}) FROM case_queue q JOIN cases c ON c.id = q.case_id
   WHERE q.case_id IN (SELECT case_id FROM temp.case_queue_chunk);
DELETE FROM case_queue_backlog WHERE case_id IN (SELECT case_id FROM temp.case_queue_chunk);
`;

export const migration004 = `
CREATE TABLE case_queue (
  row_key INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL UNIQUE,
  number TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  team_id TEXT,
  status TEXT NOT NULL,
  priority TEXT NOT NULL,
  priority_rank INTEGER NOT NULL,
  channel TEXT NOT NULL,
  type TEXT NOT NULL,
  business_line TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  next_due_ms INTEGER,
  due_order INTEGER NOT NULL,
  next_warn_ms INTEGER,
  paused INTEGER NOT NULL,
  follow_up_due_ms INTEGER,
  pending INTEGER NOT NULL
);
-- The default sort's indexes also hold what the filters read: counting a filtered queue
-- and paging deep into it read the index alone.
CREATE INDEX case_queue_owner_due ON case_queue (owner_id, due_order, priority_rank, number,
  status, priority, channel, business_line, next_due_ms, next_warn_ms, paused);
CREATE INDEX case_queue_team_due ON case_queue (team_id, due_order, priority_rank, number,
  status, priority, channel, business_line, next_due_ms, next_warn_ms, paused);
CREATE INDEX case_queue_owner_updated ON case_queue (owner_id, updated_at DESC, number);
CREATE INDEX case_queue_team_updated ON case_queue (team_id, updated_at DESC, number);
CREATE INDEX case_queue_owner_priority ON case_queue (owner_id, priority_rank, due_order, number);
CREATE INDEX case_queue_team_priority ON case_queue (team_id, priority_rank, due_order, number);
CREATE INDEX case_queue_follow_ups ON case_queue (owner_id, follow_up_due_ms)
  WHERE follow_up_due_ms IS NOT NULL;

-- Cases written while indexing is deferred (a bootstrap pull): caught up in chunks after it,
-- so that the first sync of 50,000 cases is not held up by their deadlines and search text.
CREATE TABLE case_queue_backlog (case_id TEXT PRIMARY KEY);

-- Substrings of 3+ characters. Contentless: the texts are in cases and notes already.
CREATE VIRTUAL TABLE case_search USING fts5(
  body, tokenize = 'trigram', content = '', contentless_delete = 1);
-- Substrings of 1 or 2 characters: each character and each pair is one token (search_chars),
-- so a query is one token's list of cases; no positions are needed (detail = none).
CREATE VIRTUAL TABLE case_search_chars USING fts5(
  body, tokenize = 'unicode61', content = '', contentless_delete = 1, detail = none);

-- An existing cache: index the cases it already holds.
INSERT INTO case_queue (case_id, pending, ${FIELD_COLUMNS.join(', ')})
  SELECT id, pending, ${EXTRACTS} FROM (${fieldsOf('c.id')});
INSERT INTO case_search (rowid, body)
  SELECT q.row_key, ${SEARCH_BODY} FROM case_queue q JOIN cases c ON c.id = q.case_id;
INSERT INTO case_search_chars (rowid, body)
  SELECT q.row_key, search_chars(${SEARCH_BODY}) FROM case_queue q JOIN cases c ON c.id = q.case_id;

CREATE TRIGGER case_queue_insert AFTER INSERT ON cases WHEN case_queue_deferred() = 0 BEGIN
  ${insertEntry('NEW.id')}
  ${refreshSearch('NEW.id')}
END;

CREATE TRIGGER case_queue_insert_deferred AFTER INSERT ON cases
WHEN case_queue_deferred() = 1 BEGIN
  INSERT OR IGNORE INTO case_queue_backlog (case_id) VALUES (NEW.id);
END;

-- A pull that rewrites an unchanged view costs nothing here.
CREATE TRIGGER case_queue_view AFTER UPDATE OF view_json ON cases
WHEN OLD.view_json IS NOT NEW.view_json AND case_queue_deferred() = 0 BEGIN
  ${updateEntry('NEW.id')}
  ${refreshSearch('NEW.id')}
END;

CREATE TRIGGER case_queue_view_deferred AFTER UPDATE OF view_json ON cases
WHEN OLD.view_json IS NOT NEW.view_json AND case_queue_deferred() = 1 BEGIN
  INSERT OR IGNORE INTO case_queue_backlog (case_id) VALUES (NEW.id);
END;

CREATE TRIGGER case_queue_pending AFTER UPDATE OF pending ON cases
WHEN OLD.pending IS NOT NEW.pending BEGIN
  UPDATE case_queue SET pending = NEW.pending WHERE case_id = NEW.id;
END;

CREATE TRIGGER case_queue_delete AFTER DELETE ON cases BEGIN
  DELETE FROM case_queue_backlog WHERE case_id = OLD.id;
  DELETE FROM case_search WHERE rowid = (SELECT row_key FROM case_queue WHERE case_id = OLD.id);
  DELETE FROM case_search_chars WHERE rowid = (SELECT row_key FROM case_queue WHERE case_id = OLD.id);
  DELETE FROM case_queue WHERE case_id = OLD.id;
END;

CREATE TRIGGER case_queue_note_insert AFTER INSERT ON notes
WHEN case_queue_deferred() = 0 BEGIN
    ${refreshSearch('NEW.case_id')}
END;

CREATE TRIGGER case_queue_note_update AFTER UPDATE OF data_json ON notes
WHEN OLD.data_json IS NOT NEW.data_json AND case_queue_deferred() = 0 BEGIN
    ${refreshSearch('NEW.case_id')}
END;

-- A note written while deferred: its case is caught up with the others.
CREATE TRIGGER case_queue_note_deferred AFTER INSERT ON notes
WHEN case_queue_deferred() = 1 BEGIN
  INSERT OR IGNORE INTO case_queue_backlog (case_id) VALUES (NEW.case_id);
END;

CREATE TRIGGER case_queue_note_delete AFTER DELETE ON notes
WHEN case_queue_deferred() = 0 BEGIN
    ${refreshSearch('OLD.case_id')}
END;
`;
