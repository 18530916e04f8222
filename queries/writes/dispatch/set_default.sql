-- The center's own default lead department for a 小类 (replacing an earlier one).
-- params: category_id, dept_id, now, by
INSERT OR REPLACE INTO dispatch_defaults (category_id, dept_id, updated_at, updated_by)
VALUES ($category_id, $dept_id, $now, $by);
