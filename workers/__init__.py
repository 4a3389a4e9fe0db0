"""RQ background jobs (dispatch and housekeeping) and worker start-up."""
