-- Whether the warning is active and concerns a village in the viewer's scope (a warning of
-- no village, a department's drift, counts as village -1), read in the acknowledging transaction.
-- params: warning_key, scope
SELECT count(*) AS found FROM warnings
WHERE warning_key = $warning_key AND resolved_at IS NULL
  AND ($scope::INTEGER[] IS NULL OR list_contains($scope::INTEGER[], coalesce(village_id, -1)));
