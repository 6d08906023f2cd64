-- The review queue's cursor carries created_at as JavaScript keeps it, to the millisecond. Stored
-- to the microsecond (the now() default), two items made within one millisecond fell between
-- pages. Store it to the millisecond, as every value the cursor can name.
alter table review_items alter column created_at type timestamptz(3);
