-- Office hours change from a day on: recorded changes from that day on are replaced.
-- params: from_day, hours, now
DELETE FROM office_hours WHERE from_day >= $from_day;
INSERT INTO office_hours VALUES ($from_day, $hours, $now);
