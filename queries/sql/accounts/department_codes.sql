-- Every department's code.
-- params: none
-- returns: code
SELECT code FROM departments ORDER BY code;
