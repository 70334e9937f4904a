-- The central case store: people and places, cases with notes and an append-only history,
-- and the sync bookkeeping (per-client seq, mutation results, the global version row).

create table teams (
  id text primary key,
  code text not null unique check (code ~ '^[A-Z0-9]{2,4}$'),
  name text not null
);

create table branches (
  id text primary key,
  code text not null unique check (code ~ '^[A-Z0-9]{2,4}$'),
  name text not null
);

create table users (
  id text primary key,
  username text not null unique,
  display_name text not null,
  role text not null check (role in ('agent', 'branch', 'lead', 'admin')),
  team_id text references teams (id),
  branch_id text references branches (id),
  -- scrypt$N$r$p$salt$hash, salt and hash in base64
  password_hash text not null,
  created_at timestamptz not null default now()
);

-- A workstation is one install (its clientId); its short code makes offline case
-- numbers unique: <site_code><code>-<yyMMdd>-<seq>.
create sequence workstation_code_seq minvalue 36 maxvalue 1295 start 360; -- base36 '10'..'ZZ', from 'A0'
create table workstations (
  client_id uuid primary key,
  user_id text not null references users (id),
  code text not null unique check (code ~ '^[0-9A-Z]{2}$'),
  site_code text not null check (site_code ~ '^[A-Z0-9]{2,4}$'),
  registered_at timestamptz not null default now(),
  last_sign_in_at timestamptz not null default now()
);

-- One row; every writing transaction bumps it first, so its row lock orders writers and
-- the value it returns is the commit-ordered version of everything that transaction writes.
create table sync_version (
  id boolean primary key default true check (id),
  v bigint not null
);
insert into sync_version (id, v) values (true, 0);

create table cases (
  id uuid primary key,
  number text not null unique,
  customer_name text not null,
  customer_phone text not null,
  channel text not null,
  type text not null,
  business_line text not null,
  description text not null,
  customer_expectation text not null,
  -- The lifecycle machine's state and its context (shared/lifecycle): any snapshot can be rebuilt.
  status text not null check (status in ('registered', 'triaged', 'assigned', 'in_progress',
    'waiting_customer', 'waiting_departments', 'pending_approval', 'resolved',
    'awaiting_feedback', 'closed', 'reopened', 'merged', 'withdrawn')),
  lifecycle jsonb not null,
  priority text not null check (priority in ('urgent', 'high', 'normal', 'suggestion')),
  -- null while the case waits for distribution (after a recusal).
  owner_id text references users (id),
  team_id text references teams (id),
  branch_id text references branches (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  version bigint not null
);
create index cases_version on cases (version);
create index cases_owner_version on cases (owner_id, version);
create index cases_team_version on cases (team_id, version);
create index cases_branch_version on cases (branch_id, version);

create table case_notes (
  id uuid primary key,
  case_id uuid not null references cases (id),
  author_id text not null references users (id),
  text text not null,
  created_at timestamptz not null default now(), -- server time, the one that orders
  recorded_at timestamptz not null,              -- the workstation's clock, audit only
  version bigint not null
);
create index case_notes_version on case_notes (version);
create index case_notes_case on case_notes (case_id);

create table case_history (
  id bigserial primary key,
  case_id uuid not null references cases (id),
  actor_id text not null references users (id),
  client_id uuid,
  action text not null,
  before jsonb,
  after jsonb,
  at timestamptz not null default now()
);
create index case_history_case on case_history (case_id, id);

-- Audit rows are never rewritten: refuse UPDATE, DELETE and TRUNCATE at the database.
create function refuse_rewrite() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end
$$;
create trigger case_history_append_only before update or delete on case_history
  for each row execute function refuse_rewrite();
create trigger case_history_no_truncate before truncate on case_history
  for each statement execute function refuse_rewrite();
create trigger case_notes_append_only before update or delete on case_notes
  for each row execute function refuse_rewrite();

create table sync_clients (
  client_id uuid primary key,
  user_id text not null references users (id),
  last_seq bigint not null default 0,
  created_at timestamptz not null default now()
);

create table mutation_results (
  client_id uuid not null references sync_clients (client_id),
  seq bigint not null,
  mutation_id uuid not null unique,
  name text not null,
  status text not null check (status in ('applied', 'rejected')),
  code text,
  message text,
  processed_at timestamptz not null default now(),
  primary key (client_id, seq)
);

-- Signed-out tokens until they would have expired anyway.
create table revoked_tokens (
  jti uuid primary key,
  expires_at timestamptz not null
);
