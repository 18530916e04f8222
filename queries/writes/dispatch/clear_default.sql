-- The center's own default for a 小类 removed: the code table's applies again.
-- params: category_id
DELETE FROM dispatch_defaults WHERE category_id = $category_id;
