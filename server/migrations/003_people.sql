-- Identity and sessions: disabled accounts, revocable workstations, rotating refresh tokens,
-- sign-in protection shared by every API process, the sign-in audit trail and shifts.

-- A disabled user keeps their history (cases, notes, audit) but no token of theirs works.
alter table users add column active boolean not null default true;

-- A revoked workstation (lost, stolen, decommissioned) is refused everything and told to
-- wipe its cache; its row stays, since its code is part of case numbers already minted.
alter table workstations add column revoked_at timestamptz;
alter table workstations add column revoked_by text references users (id);

-- Refresh tokens: opaque random values, only their sha256 stored. Each use rotates the token
-- (used_at set, a new one issued in the same family); a used token presented again means it
-- was copied, so the whole family (that sign-in's chain) is revoked.
create table refresh_tokens (
  token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
  family_id uuid not null,
  user_id text not null references users (id),
  client_id uuid not null,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user on refresh_tokens (user_id);
create index refresh_tokens_client on refresh_tokens (client_id);

-- Failed sign-ins per username, in the database so that every API process counts the same
-- attempts; the row is locked while an attempt is judged, so attempts on one name queue up.
create table sign_in_guards (
  username text primary key,
  failures integer not null default 0,
  window_started_at timestamptz,
  locked_until timestamptz
);

-- Every sign-in attempt, whatever its outcome; never the password.
create table sign_in_audit (
  id bigserial primary key,
  at timestamptz not null default now(),
  username text not null,
  user_id text references users (id),
  client_id uuid,
  ip text not null,
  outcome text not null check (outcome in ('success', 'bad_password', 'unknown_user', 'locked',
    'rate_limited', 'disabled', 'workstation_revoked'))
);
create index sign_in_audit_ip_at on sign_in_audit (ip, at);
create index sign_in_audit_username_at on sign_in_audit (username, at);
create trigger sign_in_audit_append_only before update or delete on sign_in_audit
  for each row execute function refuse_rewrite();
create trigger sign_in_audit_no_truncate before truncate on sign_in_audit
  for each statement execute function refuse_rewrite();

-- Shifts as concrete intervals, not weekly patterns: rotas change week to week, shifts are
-- swapped and cross midnight, and "on shift now" is then one indexed range test. A weekly
-- pattern is the planning tool's business; it writes the intervals it expands to.
create table shifts (
  id uuid primary key,
  user_id text not null references users (id),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  created_at timestamptz not null default now(),
  check (ends_at > starts_at),
  check (ends_at - starts_at <= interval '24 hours')
);
create index shifts_user_starts on shifts (user_id, starts_at);
create index shifts_ends on shifts (ends_at);
