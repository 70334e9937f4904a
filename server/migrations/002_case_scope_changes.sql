-- Scope changes: every time a case's owner, team or branch changes, one row with the keys
-- before and after, written in the changing transaction and stamped with its sync version.
-- A pull reads them after its cursor: a user who matched the old keys and no longer sees
-- the case gets a removal (scope exit); one who did not match the old keys and now does
-- gets the case's older notes too (scope entry), which its cursor has already passed.
-- Kept like the rest of the change feed; removals must outlive the longest offline period.
create table case_scope_changes (
  version bigint not null,
  case_id uuid not null references cases (id),
  old_owner_id text,
  old_team_id text,
  old_branch_id text,
  new_owner_id text,
  new_team_id text,
  new_branch_id text,
  at timestamptz not null,
  primary key (case_id, version)
);
create index case_scope_changes_version on case_scope_changes (version);
