import type { Generated } from 'kysely';

/** One start of `warden run`; `stoppedAt` stays null when the process died without a clean stop. */
export interface RunsTable {
  id: Generated<number>;
  started_at: number;
  stopped_at: number | null;
  last_tick_at: number;
  pid: number;
  host: string;
  version: string;
}

/** Recent check outcomes per service, pruned to a bounded number of rows. */
export interface CheckResultsTable {
  id: Generated<number>;
  service: string;
  at: number;
  ok: number;
  detail: string;
  latency_ms: number;
}

/** The backup catalog: a row per backup file, `good` only after verification. */
export interface BackupsTable {
  id: Generated<number>;
  target: string;
  file: string;
  size_bytes: number | null;
  sha256: string | null;
  state: 'running' | 'unverified' | 'good' | 'failed';
  started_at: number;
  finished_at: number | null;
  verified_at: number | null;
  error: string | null;
}

/** `warden silence TARGET DURATION`: alerts (not actions or history) for TARGET are held back until `until`. */
export interface SilencesTable {
  id: Generated<number>;
  target: string;
  until: number;
  reason: string | null;
  created_at: number;
}

export interface Tables {
  runs: RunsTable;
  check_results: CheckResultsTable;
  backups: BackupsTable;
  silences: SilencesTable;
}
