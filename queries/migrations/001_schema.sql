-- The store's schema (DOMAIN.md §2–§6). Large tables carry no primary key: ids are
-- assigned in time order by the one writer, so DuckDB's zone maps serve point look-ups,
-- and bulk loads of millions of rows stay fast and small in memory.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- township → village/community → grid cell (网格), one table, WKB geometry in EPSG:4326.
CREATE TABLE areas (
    area_id     INTEGER PRIMARY KEY,
    level       VARCHAR NOT NULL CHECK (level IN ('township', 'village', 'cell')),
    code        VARCHAR NOT NULL UNIQUE,      -- 9 / 12 / 15 digits (GB/T 2260 + 3 + 3 + 3)
    name        VARCHAR NOT NULL,
    parent_id   INTEGER,                      -- village → township, cell → village
    village_id  INTEGER,                      -- a cell's village; a village itself
    worker_name VARCHAR,                      -- a cell's grid worker (网格员)
    worker_phone VARCHAR,
    lon         DOUBLE,                       -- a representative point inside
    lat         DOUBLE,
    area_km2    DOUBLE,
    geom        BLOB,                         -- WKB, EPSG:4326
    origin      VARCHAR NOT NULL DEFAULT 'demo'
);

CREATE TABLE departments (
    dept_id   INTEGER PRIMARY KEY,
    code      VARCHAR NOT NULL UNIQUE,
    name      VARCHAR NOT NULL,
    name_en   VARCHAR,
    phone     VARCHAR,
    imported  BOOLEAN NOT NULL DEFAULT false
);

-- 大类 → 小类 with default department, limit and urgency (DOMAIN.md §4, §6).
CREATE TABLE categories (
    category_id     INTEGER PRIMARY KEY,
    code            VARCHAR NOT NULL UNIQUE,  -- 小类 code
    name            VARCHAR NOT NULL,
    name_en         VARCHAR,
    major_code      VARCHAR NOT NULL,         -- 大类 code
    major_name      VARCHAR NOT NULL,
    major_name_en   VARCHAR,
    kind            VARCHAR NOT NULL CHECK (kind IN ('部件', '事件', '诉求')),
    default_dept_id INTEGER,
    limit_value     INTEGER NOT NULL CHECK (limit_value > 0),
    limit_unit      VARCHAR NOT NULL CHECK (limit_unit IN ('work_hours', 'work_days')),
    urgency         VARCHAR NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent')),
    table_version   VARCHAR NOT NULL,         -- the code table's version
    imported        BOOLEAN NOT NULL DEFAULT false
);

-- The working calendar, one row a day. Office hours per day (minutes after midnight),
-- zero-length on days off; cum_min_before = working minutes from the calendar's first
-- day up to this day's start, so working time between two instants is a subtraction.
CREATE TABLE work_days (
    day            DATE PRIMARY KEY,
    kind           VARCHAR NOT NULL CHECK (kind IN ('workday', 'weekend', 'holiday', 'adjusted_workday')),
    festival       VARCHAR,
    is_workday     BOOLEAN NOT NULL,
    am_start       SMALLINT NOT NULL,
    am_end         SMALLINT NOT NULL,
    pm_start       SMALLINT NOT NULL,
    pm_end         SMALLINT NOT NULL,
    cum_min_before BIGINT NOT NULL,
    schedule_known BOOLEAN NOT NULL            -- false: the year's holiday notice is not loaded
);

-- Matters (事项), the current state of each. Always equal to the replay of its events.
CREATE TABLE matters (
    matter_id        BIGINT NOT NULL,         -- yyyymmdd × 100000 + sequence of the day
    source           VARCHAR NOT NULL CHECK (source IN ('transfer', 'inspection', 'grid', 'public')),
    external_ref     VARCHAR,
    category_id      INTEGER,
    major_code       VARCHAR,
    description      VARCHAR,
    address          VARCHAR,
    reporter         VARCHAR,
    lon              DOUBLE,
    lat              DOUBLE,
    cell_id          INTEGER,
    village_id       INTEGER,
    level            VARCHAR NOT NULL DEFAULT 'general'
                     CHECK (level IN ('general', 'larger', 'major', 'especially_major')),
    urgent           BOOLEAN NOT NULL DEFAULT false,
    status           VARCHAR NOT NULL,
    lead_dept_id     INTEGER,
    co_dept_ids      INTEGER[],
    created_at       TIMESTAMP NOT NULL,
    dispatched_at    TIMESTAMP,
    signed_at        TIMESTAMP,
    feedback_at      TIMESTAMP,
    closed_at        TIMESTAMP,
    followed_up_at   TIMESTAMP,
    voided_at        TIMESTAMP,
    escalated_at     TIMESTAMP,
    limit_min        INTEGER,                  -- working minutes allowed, extensions included
    due_at           TIMESTAMP,
    sign_due_at      TIMESTAMP,
    suspended_at     TIMESTAMP,                -- set while the clock is stopped (缓办)
    remaining_min_at_suspend INTEGER,
    extension_count  SMALLINT NOT NULL DEFAULT 0,
    supervision_count SMALLINT NOT NULL DEFAULT 0,
    rework_count     SMALLINT NOT NULL DEFAULT 0,
    return_count     SMALLINT NOT NULL DEFAULT 0,
    satisfaction     VARCHAR CHECK (satisfaction IN ('satisfied', 'basic', 'unsatisfied')),
    updated_at       TIMESTAMP NOT NULL,
    event_count      INTEGER NOT NULL,
    origin           VARCHAR NOT NULL DEFAULT 'demo'
);

-- The append-only event log: every action on a matter.
CREATE TABLE events (
    matter_id   BIGINT NOT NULL,
    seq         INTEGER NOT NULL,             -- 1, 2, … within the matter
    action      VARCHAR NOT NULL,
    actor       VARCHAR NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    from_status VARCHAR,
    to_status   VARCHAR NOT NULL,
    dept_id     INTEGER,                      -- dispatch: the lead department
    minutes     INTEGER,                      -- extend: working minutes granted
    value       VARCHAR,                      -- follow_up: satisfaction; others: free
    note        VARCHAR
);

-- Resources for emergencies (DOMAIN.md §9).
CREATE TABLE resources (
    resource_id INTEGER PRIMARY KEY,
    kind        VARCHAR NOT NULL CHECK (kind IN ('grid_worker', 'emergency_team', 'shelter', 'camera', 'hazard_site')),
    name        VARCHAR NOT NULL,
    lon         DOUBLE NOT NULL,
    lat         DOUBLE NOT NULL,
    cell_id     INTEGER,
    village_id  INTEGER,
    phone       VARCHAR,
    capacity    INTEGER,
    note        VARCHAR
);

-- Current-state table: the open matters only, with what the live panels read.
-- Maintained with the matters in the same transaction.
CREATE TABLE open_matters (
    matter_id    BIGINT NOT NULL,
    status       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    category_id  INTEGER,
    major_code   VARCHAR,
    lead_dept_id INTEGER,
    cell_id      INTEGER,
    village_id   INTEGER,
    level        VARCHAR NOT NULL,
    urgent       BOOLEAN NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    due_at       TIMESTAMP,
    limit_min    INTEGER,
    suspended_at TIMESTAMP,
    remaining_min_at_suspend INTEGER,
    supervision_count SMALLINT NOT NULL
);

-- Daily rollup of what the indicators count, keyed by the matter's current dimensions;
-- -1 / '' stand for "none" (no cell, not dispatched yet).
CREATE TABLE daily_rollup (
    day             DATE NOT NULL,
    village_id      INTEGER NOT NULL,
    dept_id         INTEGER NOT NULL,
    source          VARCHAR NOT NULL,
    major_code      VARCHAR NOT NULL,
    received        INTEGER NOT NULL DEFAULT 0,
    closed          INTEGER NOT NULL DEFAULT 0,
    closed_with_due INTEGER NOT NULL DEFAULT 0,
    closed_on_time  INTEGER NOT NULL DEFAULT 0,
    followed_up     INTEGER NOT NULL DEFAULT 0,
    satisfied       INTEGER NOT NULL DEFAULT 0,
    basic_satisfied INTEGER NOT NULL DEFAULT 0,
    unsatisfied     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, village_id, dept_id, source, major_code)
);

INSERT INTO meta VALUES ('data_version', '0');
