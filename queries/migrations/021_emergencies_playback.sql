-- Emergencies (应急指挥, DOMAIN.md §9) and the light rule as scalar macros that the live
-- lights and time playback share.
--
-- The light of an open matter (DOMAIN.md §4), once: paused while its clock is stopped,
-- none without a limit, red when due at or before now_ts, yellow when less than
-- yellow_share of its limit is left (due_w and now_w: W(due) and W(now) in working
-- minutes), green otherwise. remaining_of: working minutes left (negative: overdue).
CREATE OR REPLACE MACRO light_of(suspended_at, due_at, due_w, limit_min, now_ts, now_w, yellow_share) AS
    CASE
        WHEN suspended_at IS NOT NULL THEN 'paused'
        WHEN due_at IS NULL THEN 'none'
        WHEN due_at <= now_ts THEN 'red'
        WHEN due_w - now_w < yellow_share * limit_min THEN 'yellow'
        ELSE 'green'
    END;

CREATE OR REPLACE MACRO remaining_of(suspended_at, remaining_at_suspend, due_at, due_w, now_w) AS
    CASE
        WHEN suspended_at IS NOT NULL THEN remaining_at_suspend
        WHEN due_at IS NULL THEN NULL
        ELSE CAST(round(due_w - now_w) AS INTEGER)
    END;

-- The live lights (restated from 006 with the shared macros; same result).
CREATE OR REPLACE MACRO open_matter_lights(now_ts, yellow_share) AS TABLE
WITH now_w AS (SELECT work_min_at(now_ts) AS w)
SELECT o.*,
       remaining_of(o.suspended_at, o.remaining_min_at_suspend, o.due_at, o.due_work_min, now_w.w) AS remaining_min,
       light_of(o.suspended_at, o.due_at, o.due_work_min, o.limit_min, now_ts, now_w.w, yellow_share) AS light
FROM open_matters o
CROSS JOIN now_w;

-- An emergency: its current state, always the fold of its events (queries.emergency.step).
CREATE TABLE emergencies (
    emergency_id   INTEGER PRIMARY KEY,
    title          VARCHAR NOT NULL,
    level          VARCHAR NOT NULL CHECK (level IN ('general', 'larger', 'major', 'especially_major')),
    kind           VARCHAR NOT NULL,           -- flood, fallen_tree, power, fire, other
    commander      VARCHAR NOT NULL,           -- the account commanding it
    matter_id      BIGINT,                     -- the matter it was declared from, if any
    area_kind      VARCHAR NOT NULL CHECK (area_kind IN ('buffer', 'polygon')),
    radius_m       DOUBLE,                     -- buffer: metres around the points
    area_geojson   VARCHAR NOT NULL,           -- the affected area, WGS-84 GeoJSON geometry
    min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE,
    sign_alarm_min DOUBLE NOT NULL,            -- a task not signed for within this many minutes raises an alarm
    status         VARCHAR NOT NULL CHECK (status IN ('active', 'closed')),
    declared_at    TIMESTAMP NOT NULL,
    declared_by    VARCHAR NOT NULL,
    closed_at      TIMESTAMP,
    closing_note   VARCHAR,
    event_count    INTEGER NOT NULL
);

-- The append-only log of every action on an emergency; ``payload`` the action's fields (JSON).
CREATE TABLE emergency_events (
    emergency_id INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    action       VARCHAR NOT NULL,
    actor        VARCHAR NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    payload      VARCHAR NOT NULL,
    PRIMARY KEY (emergency_id, seq)
);

-- Linkage tasks given to departments (联动任务): what, who, by when, on which clock.
CREATE TABLE emergency_tasks (
    emergency_id INTEGER NOT NULL,
    task_no      INTEGER NOT NULL,
    dept_id      INTEGER NOT NULL,
    what         VARCHAR NOT NULL,
    clock        VARCHAR NOT NULL CHECK (clock IN ('working', 'calendar')),
    limit_min    INTEGER NOT NULL,
    posted_at    TIMESTAMP NOT NULL,
    posted_by    VARCHAR NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    status       VARCHAR NOT NULL CHECK (status IN ('posted', 'signed', 'reported', 'closed')),
    signed_at    TIMESTAMP,
    signed_by    VARCHAR,
    reported_at  TIMESTAMP,
    report       VARCHAR,
    closed_at    TIMESTAMP,
    PRIMARY KEY (emergency_id, task_no)
);

-- The commander's log (指挥日志), the 上报 record and its replies, acknowledged alarms.
CREATE TABLE emergency_log (
    emergency_id INTEGER NOT NULL,
    entry_no     INTEGER NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('note', 'decision', 'call', 'report', 'reply', 'system')),
    logged_at    TIMESTAMP NOT NULL,
    actor        VARCHAR NOT NULL,
    text         VARCHAR NOT NULL,
    counterpart  VARCHAR,                      -- report/reply: the higher-level center
    reply_to     INTEGER,                      -- reply: the report's entry_no
    PRIMARY KEY (emergency_id, entry_no)
);

CREATE TABLE emergency_alarm_acks (
    emergency_id INTEGER NOT NULL,
    alarm_key    VARCHAR NOT NULL,             -- 'task:<no>' or 'matter:<id>'
    acked_at     TIMESTAMP NOT NULL,
    acked_by     VARCHAR NOT NULL,
    PRIMARY KEY (emergency_id, alarm_key)
);

