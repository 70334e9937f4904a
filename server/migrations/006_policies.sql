-- Deadline policies and work calendars as administered data: every save is a new numbered
-- revision (never rewritten, so the rules a deadline was counted with can be looked up),
-- the latest revision of an id is the one in force, and one row says which policy and
-- calendar this deployment runs (China CBIRC 2020 and the Chinese calendar unless an
-- administrator chose otherwise). Bodies are shared/clock's DeadlinePolicy and CalendarData,
-- validated by the server before they are stored. Saves are stamped with the sync version.
create table deadline_policies (
  id text not null,
  revision integer not null check (revision > 0),
  body jsonb not null,
  saved_by text references users (id),
  saved_at timestamptz not null,
  version bigint not null,
  primary key (id, revision)
);

create table work_calendars (
  id text not null,
  revision integer not null check (revision > 0),
  body jsonb not null,
  saved_by text references users (id),
  saved_at timestamptz not null,
  version bigint not null,
  primary key (id, revision)
);

create table deadline_rules_choice (
  id boolean primary key default true check (id),
  policy_id text not null,
  calendar_id text not null,
  chosen_by text references users (id),
  chosen_at timestamptz not null,
  version bigint not null
);
