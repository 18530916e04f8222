-- A matter's state after an action: every column an action may change, from the row the
-- write path computed (queries.lifecycle.step), in one statement.
-- params: matter_id, status, updated_at, event_count, lead_dept_id, co_dept_ids, dispatched_at, sign_due_at, return_count, signed_at, feedback_at, rework_count, closed_at, followed_up_at, satisfaction, supervision_count, extension_count, limit_min, due_at, suspended_at, remaining_min_at_suspend, voided_at, escalated_at, duplicate_of
UPDATE matters
SET status = $status, updated_at = $updated_at, event_count = $event_count,
    lead_dept_id = $lead_dept_id, co_dept_ids = $co_dept_ids, dispatched_at = $dispatched_at,
    sign_due_at = $sign_due_at, return_count = $return_count, signed_at = $signed_at,
    feedback_at = $feedback_at, rework_count = $rework_count, closed_at = $closed_at,
    followed_up_at = $followed_up_at, satisfaction = $satisfaction,
    supervision_count = $supervision_count, extension_count = $extension_count,
    limit_min = $limit_min, due_at = $due_at, suspended_at = $suspended_at,
    remaining_min_at_suspend = $remaining_min_at_suspend, voided_at = $voided_at,
    escalated_at = $escalated_at, duplicate_of = $duplicate_of
WHERE matter_id = $matter_id;
