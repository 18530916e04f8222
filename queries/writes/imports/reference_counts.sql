-- How many departments and categories the store holds (before and after an import).
-- returns: departments, categories
-- params: none
SELECT (SELECT count(*) FROM departments) AS departments, (SELECT count(*) FROM categories) AS categories;
