-- Administrative changes (people, teams, branches, shifts, workstations, knowledge, deadline
-- rules): who, from which workstation, when, the record before and after. Written in the
-- changing transaction; like case_history, the database refuses to rewrite it.
create table admin_history (
  id bigserial primary key,
  actor_id text not null references users (id),
  client_id uuid,
  entity text not null,
  entity_id text not null,
  action text not null,
  before jsonb,
  after jsonb,
  at timestamptz not null default now()
);
create index admin_history_entity on admin_history (entity, entity_id, id);

create trigger admin_history_append_only before update or delete on admin_history
  for each row execute function refuse_rewrite();
create trigger admin_history_no_truncate before truncate on admin_history
  for each statement execute function refuse_rewrite();
