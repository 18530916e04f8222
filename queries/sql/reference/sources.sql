-- The sources a matter comes from (DOMAIN.md §2), in the order the filter bar lists them;
-- the names people see are in dashboard/i18n/common.toml.
-- returns: source
-- params: none
SELECT source
FROM (VALUES (1, 'transfer'), (2, 'inspection'), (3, 'grid'), (4, 'public')) AS s(sort_order, source)
ORDER BY sort_order;
