-- Office hours as the store keeps them: one row per period, in force from its first day
-- until the next row's. Deadlines and every page read them from here (the work_days table
-- is built from these rows and the holiday schedule); the office_hours setting only seeds
-- a new database. The first row is filled in by the store from the existing work_days.
CREATE TABLE office_hours (
    from_day    DATE PRIMARY KEY,
    hours       VARCHAR NOT NULL,             -- '08:30-12:00,13:30-17:30'
    recorded_at TIMESTAMP                     -- when the change was recorded; NULL: at creation
);

-- Each load of a holiday schedule (国务院办公厅 notice) into the calendar.
CREATE TABLE calendar_loads (
    loaded_at TIMESTAMP NOT NULL,
    source    VARCHAR NOT NULL,               -- the file's name
    years     VARCHAR NOT NULL,               -- '2027' or '2027,2028'
    days      INTEGER NOT NULL,               -- rows in the file
    changed   INTEGER NOT NULL,               -- days whose kind changed
    moved     INTEGER NOT NULL                -- deadlines recomputed
);
