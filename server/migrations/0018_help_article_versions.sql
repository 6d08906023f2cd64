-- The console's help-centre editor: a version number per article, so two editors cannot overwrite
-- each other's work (a save names the version it started from), and who last changed it.
alter table help_articles
  add column version integer not null default 1,
  add column updated_by uuid references users (id);

-- Any change of what a reader sees (by the console or by the importer) moves the version on; the
-- "was this helpful?" counters do not, so a reader's click never turns an editor's save into a conflict.
create function help_articles_next_version() returns trigger language plpgsql as $$
begin
  if (new.slug, new.category, new.status, new.title_zh, new.body_zh, new.title_en, new.body_en,
      new.keywords, new.position)
     is distinct from
     (old.slug, old.category, old.status, old.title_zh, old.body_zh, old.title_en, old.body_en,
      old.keywords, old.position) then
    new.version := old.version + 1;
  end if;
  return new;
end;
$$;

create trigger help_articles_version before update on help_articles
  for each row execute function help_articles_next_version();

-- The editor lists every article, newest change first.
create index help_articles_by_update on help_articles (updated_at desc, id desc);
