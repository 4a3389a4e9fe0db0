"""CSV imports that run as jobs, report progress and write all rows or none."""
