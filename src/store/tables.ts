import type { Generated } from 'kysely';

/** How a run sends alerts: through Telegram, or into its log when it has no bot token. */
export type AlertMode = 'telegram' | 'dry-run';

/** One start of `warden run`; `stoppedAt` stays null when the process died without a clean stop. */
export interface RunsTable {
  id: Generated<number>;
  started_at: number;
  stopped_at: number | null;
  last_tick_at: number;
  pid: number;
  host: string;
  version: string;
  /** null for runs recorded before warden knew to store it */
  alerts: AlertMode | null;
}

/** Recent check outcomes per service, pruned to a bounded number of rows. */
export interface CheckResultsTable {
  id: Generated<number>;
  /** The host whose check this was; '' only on a store no daemon ever ran on before fleet mode. */
  host: Generated<string>;
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
  state: 'running' | 'unverified' | 'good' | 'failed' | 'interrupted';
  started_at: number;
  finished_at: number | null;
  verified_at: number | null;
  error: string | null;
  /** `--label pre-migrate`; null for scheduled backups. */
  label: string | null;
  server_version: string | null;
  /** What the last verification found ("42 entries, sha256 ok"; "restored: 12 tables, …"). */
  verify_detail: string | null;
  /** When a restore rehearsal of this backup last succeeded. */
  restore_verified_at: number | null;
  /** The process writing a `running` backup: a dead pid means it was interrupted. */
  pid: number | null;
}

/** `warden silence TARGET DURATION`: alerts (not actions or history) for TARGET are held back until `until`. */
export interface SilencesTable {
  id: Generated<number>;
  target: string;
  until: number;
  reason: string | null;
  created_at: number;
}

/** One incident; `actions` is a JSON array of IncidentAction. At most one unresolved row per key. */
export interface IncidentsTable {
  id: Generated<number>;
  /** The host the incident is about: keys are unique per host, so two hosts' `service-down:api` are two incidents. */
  host: Generated<string>;
  key: string;
  topic: string;
  subject: string;
  severity: 'info' | 'warning' | 'critical';
  state: 'open' | 'acknowledged' | 'resolved';
  detail: string;
  excerpt: string | null;
  opened_at: number;
  last_seen_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  count: number;
  actions: string;
  parent_key: string | null;
  /** The first incident of the outage this one belongs to (they share its message); null: itself. */
  conversation_id: Generated<number | null>;
}

/** What happened to an incident and when: opened, detail changed, acknowledged, action, resolved. */
export interface IncidentHistoryTable {
  id: Generated<number>;
  incident_id: number;
  at: number;
  event: string;
  detail: string;
}

/**
 * The alert outbox: one row per message (or edit) per chat, written before it is sent and marked
 * sent only with the message_id Telegram returned. States and kinds are append-only.
 */
export interface OutboxTable {
  id: Generated<number>;
  chat_id: string;
  thread: number | null;
  kind: 'incident' | 'edit' | 'resolved-reply' | 'reminder' | 'message' | 'escalation';
  incident_id: number | null;
  /** For edits and replies: the outbox row of the message they change or answer. */
  ref_id: number | null;
  /** For `message` rows: the Rendered JSON; incident rows are rendered when sent. */
  payload: string | null;
  /** Null for the daemon; `cli:<pid>` for rows a CLI command delivers itself. */
  owner: string | null;
  state: 'pending' | 'sent' | 'logged' | 'failed' | 'skipped' | 'abandoned';
  attempts: number;
  /** 1 once Telegram refused the HTML: the row is sent as plain text. */
  plain: number;
  created_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  message_id: string | null;
  /** The row whose message carried this one when it was sent as part of a grouped (storm) message. */
  group_id: number | null;
  last_error: string | null;
  /** Set just before a send, cleared when its outcome is known; still set at start: the send was cut off. */
  sending_at: number | null;
  /** 1 when the row is sent again because warden died while sending it: the message says so. */
  resent: Generated<number>;
  /** The instance sending this row's chat (its host, and a token naming the process) until `claim_until`. */
  claim_host: string | null;
  claim_token: string | null;
  claim_until: number | null;
}

/** Send slots shared by every instance of a fleet: `telegram` is the next free slot of the bot's overall limit. */
export interface OutboxPaceTable {
  key: string;
  slot: number;
}

/** One usage reading of a disk path; the fill forecast fits a line through the recent ones. */
export interface DiskSamplesTable {
  path: string;
  at: number;
  used_bytes: number;
  total_bytes: number;
}

/** How far pattern scanning read a log file: `ino` tells a new file from the one read before. */
export interface LogOffsetsTable {
  file: string;
  ino: string;
  position: number;
  updated_at: number;
}

/** Pattern matches found in one scan of one file: the count and the last few lines (redacted). */
export interface LogMatchesTable {
  id: Generated<number>;
  file: string;
  /** The pattern's source, e.g. `ERROR|Traceback`. */
  pattern: string;
  at: number;
  count: number;
  /** JSON array of the matching lines kept for the excerpt. */
  lines: string;
}

/** Small named values the bot keeps across restarts, e.g. `telegram.offset` (the next update to fetch). */
export interface BotStateTable {
  key: string;
  value: string;
  updated_at: number;
}

/** One disk reading per path per daily digest, for its 7-day disk chart. */
export interface DigestDiskSamplesTable {
  path: string;
  at: number;
  used_ratio: number;
}

/** One row per live fleet instance (fleet mode): its heartbeat; removed when it stops cleanly. */
export interface FleetHostsTable {
  host: string;
  started_at: number;
  last_seen: number;
  version: string;
  pid: number;
}

/** A slot of a shared scheduled job (digest, backups) taken by the leader that ran it. */
export interface FleetSlotsTable {
  job: string;
  slot_at: number;
  host: string;
  claimed_at: number;
}

/**
 * An action asked of one fleet host through the store (a restart from Telegram, written by the
 * leader): `claimed_at` when the host took it, `finished_at` with `ok`/`detail` when it is done, or
 * finished unclaimed with ok 0 when it expired before anyone took it.
 */
export interface FleetRequestsTable {
  id: Generated<number>;
  host: string;
  action: 'restart';
  service: string;
  requested_by: string;
  created_at: number;
  claimed_at: number | null;
  finished_at: number | null;
  ok: number | null;
  detail: string | null;
}

export interface Tables {
  runs: RunsTable;
  check_results: CheckResultsTable;
  backups: BackupsTable;
  silences: SilencesTable;
  incidents: IncidentsTable;
  incident_history: IncidentHistoryTable;
  outbox: OutboxTable;
  outbox_pace: OutboxPaceTable;
  disk_samples: DiskSamplesTable;
  log_offsets: LogOffsetsTable;
  log_matches: LogMatchesTable;
  bot_state: BotStateTable;
  digest_disk_samples: DigestDiskSamplesTable;
  fleet_hosts: FleetHostsTable;
  fleet_slots: FleetSlotsTable;
  fleet_requests: FleetRequestsTable;
}
