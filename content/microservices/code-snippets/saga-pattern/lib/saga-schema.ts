// The saga log's tables, shared by the orchestrator process and the snippet that sets them up.
export const sagaSchema = `
  CREATE TABLE IF NOT EXISTS saga (id text PRIMARY KEY, created bigserial);
  CREATE TABLE IF NOT EXISTS saga_log (
    seq bigserial PRIMARY KEY, saga text NOT NULL REFERENCES saga (id), event text NOT NULL, step text NOT NULL DEFAULT '', detail jsonb,
    UNIQUE (saga, event, step));`; // UNIQUE: writing the same record twice (after a crash) is a no-op; detail: a saga_stuck's error chain
