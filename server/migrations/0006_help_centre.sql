-- Help centre: categories, articles in zh-CN and en, and a search index built from our own
-- tokens (PostgreSQL's parser reads a run of Chinese as one word, so it cannot find 余额 in 我的余额).

create table help_categories (
  slug text primary key check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name_zh text not null,
  name_en text not null default '',
  position integer not null default 0
);

create table help_articles (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,98}$'),
  category text not null references help_categories (slug),
  status text not null default 'draft' check (status in ('draft', 'published')),
  title_zh text not null,
  body_zh text not null,
  title_en text not null default '',
  body_en text not null default '',
  keywords text[] not null default '{}',
  position integer not null default 0,
  -- 'import': written by the importer and untouched since; 'staff': edited by a person, never
  -- overwritten by a later import.
  source text not null default 'staff' check (source in ('import', 'staff')),
  -- sha256 of the content as the importer last wrote it: a row whose content no longer hashes to
  -- this was edited outside the importer and is left alone.
  import_hash text,
  helpful_count integer not null default 0,
  unhelpful_count integer not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create index help_articles_category on help_articles (category, position) where status = 'published';

-- One row per (term, article) of a published article; weight already includes the field boost
-- (title above keywords above body).
create table help_search_terms (
  term text not null,
  article_id uuid not null references help_articles (id) on delete cascade,
  weight real not null,
  primary key (term, article_id)
);

-- The heaviest postings of a term first, so a query reads only the best few hundred per term.
create index help_search_terms_by_weight on help_search_terms (term, weight desc) include (article_id);
create index help_search_terms_article on help_search_terms (article_id);

-- How many published articles hold each term (for inverse document frequency).
create table help_search_df (
  term text primary key,
  df integer not null check (df >= 0)
);
