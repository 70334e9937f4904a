-- Customers (360): profiles, the identifiers they are found by, and who looked them up.
-- ID and account numbers are never stored in plain: a keyed hash (HMAC-SHA256 with the
-- server's CUSTOMER_LOOKUP_KEY) finds them, a masked form shows them. Segments other than
-- VIP are computed at read time (age from birth_date, repeat complaints from cases).

create table customers (
  id uuid primary key,
  name text not null,
  -- From the ID number at registration; null when unknown.
  birth_date date,
  vip boolean not null default false,
  created_at timestamptz not null default now(),
  -- null for customers made on the server itself (seeding, linking an old case).
  created_by text references users (id)
);

-- Phones stay in plain, normalized digits: the bank calls the customer back. Several
-- customers may share one (a family line).
create table customer_phones (
  customer_id uuid not null references customers (id),
  phone text not null check (phone ~ '^[0-9]{10,12}$'),
  primary key (customer_id, phone)
);
create index customer_phones_phone on customer_phones (phone);

-- One ID number or account belongs to one customer.
create table customer_identifiers (
  customer_id uuid not null references customers (id),
  kind text not null check (kind in ('idNumber', 'account')),
  lookup_hash text not null check (lookup_hash ~ '^[0-9a-f]{64}$'),
  masked text not null,
  primary key (kind, lookup_hash)
);
create index customer_identifiers_customer on customer_identifiers (customer_id);

alter table cases add column customer_id uuid references customers (id);
create index cases_customer on cases (customer_id, created_at);

-- Who saw which customer: every lookup (one row per customer found, or one without a
-- customer when none was) and every 360 view. Never the identifier itself, only its kind.
create table customer_access_log (
  id bigserial primary key,
  user_id text not null references users (id),
  client_id uuid,
  customer_id uuid references customers (id),
  action text not null check (action in ('lookup', 'view')),
  identifier_kind text check (identifier_kind in ('phone', 'idNumber', 'account')),
  at timestamptz not null default now()
);
create index customer_access_log_customer on customer_access_log (customer_id, at);
create trigger customer_access_log_append_only before update or delete on customer_access_log
  for each row execute function refuse_rewrite();
create trigger customer_access_log_no_truncate before truncate on customer_access_log
  for each statement execute function refuse_rewrite();
