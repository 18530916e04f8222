-- A linkage task's row as the step function left it (new, or replacing the old one).
-- params: emergency_id, task_no, dept_id, what, clock, limit_min, posted_at, posted_by, due_at, status
-- params: signed_at, signed_by, reported_at, report, closed_at
INSERT OR REPLACE INTO emergency_tasks (emergency_id, task_no, dept_id, what, clock, limit_min, posted_at,
                                        posted_by, due_at, status, signed_at, signed_by, reported_at, report,
                                        closed_at)
VALUES ($emergency_id, $task_no, $dept_id, $what, $clock, $limit_min, $posted_at, $posted_by, $due_at, $status,
        $signed_at, $signed_by, $reported_at, $report, $closed_at);
