-- The emergencies, active first, newest first, with their open task count, and the matter
-- and the area that decide who sees each (the caller filters by the viewer's scope).
-- returns: emergency_id, title, level, kind, commander, status, declared_at, closed_at, open_tasks
-- returns: matter_id, area_geojson
-- params: none
SELECT e.emergency_id, e.title, e.level, e.kind, e.commander, e.status, e.declared_at, e.closed_at,
       (SELECT count(*) FROM emergency_tasks t WHERE t.emergency_id = e.emergency_id AND t.status <> 'closed')
           AS open_tasks,
       e.matter_id, e.area_geojson
FROM emergencies e
ORDER BY e.status = 'closed', e.declared_at DESC, e.emergency_id DESC;
