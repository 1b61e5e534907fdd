import { z } from 'zod';
import { boundedDuration } from '../config/fields.ts';

/** Under this the store would take a write per host every few hundred ms for little gain. */
const shortestMs = 200;
const longestMs = 3_600_000;

/**
 * `fleet`: timing of several hosts on one PostgreSQL store (docs/fleet.md). Every instance writes a
 * heartbeat each `heartbeat`; the leader opens `host-down:<host>` for a peer silent for `missed`
 * heartbeats. A follower tries the leader lock, and the leader proves its session, every `leaderPoll`.
 * Ignored on a SQLite store, where the one instance is always leader.
 */
export const fleetSchema = z
  .strictObject({
    heartbeat: boundedDuration('5s', { min: shortestMs, max: longestMs }).prefault('5s'),
    missed: z.number({ error: 'must be a whole number of heartbeats, like 3' }).int().min(1).default(3),
    leaderPoll: boundedDuration('2s', { min: shortestMs, max: longestMs }).prefault('2s'),
  })
  .prefault({})
  .transform(({ heartbeat, missed, leaderPoll }) => ({ heartbeatMs: heartbeat, missed, leaderPollMs: leaderPoll }));

export type FleetConfig = z.output<typeof fleetSchema>;
