-- Matters received in the half-open period [period_start, period_end) and since merged as
-- duplicates (合并重复件), for the matters in scope: what the counts report leaves out of
-- received (received + merged = every matter registered in the period).
-- returns: merged_count
-- params: scope, period_start, period_end
SELECT count(*) AS merged_count
FROM matters
WHERE duplicate_of IS NOT NULL AND created_at >= $period_start AND created_at < $period_end
  AND list_contains($scope::INTEGER[], coalesce(village_id, -1));
