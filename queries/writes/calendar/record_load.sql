-- One load of a holiday schedule, for the record (`info` lists them).
-- params: now, source, years, days, changed, moved
INSERT INTO calendar_loads VALUES ($now, $source, $years, $days, $changed, $moved);
