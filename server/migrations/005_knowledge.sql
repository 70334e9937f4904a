-- Knowledge base: articles and standard scripts (话术). Admins write them; everyone signed
-- in reads the published ones. Every write is stamped with the sync version (like cases),
-- so workstations keep an offline copy with a cursor (GET /knowledge/changes).
--
-- Chinese search without a parser or an extension (PGlite has neither): search_terms holds
-- the article's terms as shared/knowledge.ts cuts them (Han characters and bigrams, words
-- and their prefixes), and a query asks `search_terms @> <its terms>` through the GIN index.
create table knowledge_articles (
  id uuid primary key,
  kind text not null check (kind in ('article', 'script')),
  category text not null,
  title text not null,
  tags text[] not null default '{}',
  body text not null,
  status text not null check (status in ('draft', 'published', 'archived')),
  -- Workstations only ever held it if it was published once: only then is a tombstone due.
  was_published boolean not null default false,
  -- null for the articles shipped with the system (seedKnowledge)
  author_id text references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  version bigint not null,
  search_terms text[] not null
);
create index knowledge_articles_terms on knowledge_articles using gin (search_terms);
create index knowledge_articles_version on knowledge_articles (version);
create index knowledge_articles_category on knowledge_articles (status, category);
