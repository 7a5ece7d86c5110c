"""The 123 call centre: calls, the operator console, recordings, compliance, warning letters, operator KPIs."""
