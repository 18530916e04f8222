"""The demo township generator and the reference tables (departments, categories,
holidays) as CSV."""
