-- The first office-hours period of a database: the hours its calendar was built with.
-- params: from_day, hours
INSERT INTO office_hours VALUES ($from_day, $hours, NULL);
