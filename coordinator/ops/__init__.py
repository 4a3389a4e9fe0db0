"""Operations plumbing below every domain: request ids and JSON logs
(`trace`), Prometheus series (`metrics`) and the in-flight bound
(`pressure`). The web side (the /metrics view, the RQ dashboard) lives in
`coordinator.monitor`, above the access rules it needs."""
