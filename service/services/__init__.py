"""The service layer: the business rules that turn stored facts into answers (customers' summaries and
timelines, their outcome risks, agents' profiles), between the callers (API, batch, demo, commands) and the store."""
