import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { latestCheckResults } from '../store/check-results.ts';
import type { Store } from '../store/db.ts';
import { listFleetHosts } from '../store/fleet.ts';
import {
  expireFleetRequests,
  fleetRequestTtlMs,
  getFleetRequest,
  insertFleetRequest,
} from '../store/fleet-requests.ts';

export interface RemoteRestartOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The host this (leader) instance runs as. */
  host: string;
  /** A host whose heartbeat is older than this is not offered for `/restart SERVICE`. */
  liveWithinMs: number;
  /** How long to wait for the host to take the request, and again for its result [fleetRequestTtlMs]. */
  waitMs?: number;
}

export type RemoteOutcome =
  | { kind: 'done'; ok: boolean; detail: string }
  /** The host never took it (down, cut off, not running warden); it is expired and will not run. */
  | { kind: 'not-taken'; waitedMs: number }
  /** The host took it but wrote no result in time: it may still be running, or the host died. */
  | { kind: 'no-result'; waitedMs: number };

/** How often the leader looks for the result: a restart answer is worth a query per 200 ms. */
const lookEveryMs = 200;

/**
 * The leader's side of a restart for another host: the request goes into the store for that host
 * (`src/fleet/requests.ts` takes and runs it there), and this waits, bounded, for the outcome.
 */
export function createRemoteRestart(options: RemoteRestartOptions) {
  const { store, clock } = options;
  const log = options.log.child({ part: 'bot' });
  const waitMs = options.waitMs ?? fleetRequestTtlMs;

  /** Waits until `done` says the row is there, or `untilAt` passes; false on timeout. */
  const waitUntil = async (untilAt: number, done: () => Promise<boolean>, signal: AbortSignal): Promise<boolean> => {
    for (;;) {
      if (await done()) return true;
      if (clock.now() >= untilAt) return false;
      await clock.sleep(Math.min(lookEveryMs, Math.max(1, untilAt - clock.now())), signal);
    }
  };

  return {
    /** Every host the store knows other than this one: live peers and hosts with check results. */
    async knownHosts(): Promise<string[]> {
      const names = new Set([
        ...(await listFleetHosts(store)).map((h) => h.host),
        ...(await latestCheckResults(store)).map((r) => r.host ?? ''),
      ]);
      names.delete(options.host);
      names.delete('');
      return [...names].sort();
    },

    /** The other live hosts (fresh heartbeat) whose checks show `service`. */
    async liveHostsWith(service: string): Promise<string[]> {
      const now = clock.now();
      const live = new Set(
        (await listFleetHosts(store))
          .filter((h) => h.host !== options.host && now - h.lastSeen <= options.liveWithinMs)
          .map((h) => h.host),
      );
      const having = (await latestCheckResults(store))
        .filter((r) => r.service === service && live.has(r.host ?? ''))
        .map((r) => r.host!);
      return [...new Set(having)].sort();
    },

    async restart(host: string, service: string, by: string, signal: AbortSignal): Promise<RemoteOutcome> {
      const createdAt = clock.now();
      const id = await insertFleetRequest(store, { host, action: 'restart', service, requestedBy: by, at: createdAt });
      log.info({ id, host, service, by }, 'restart asked of another host');
      let request = await getFleetRequest(store, id);
      try {
        const taken = await waitUntil(
          createdAt + waitMs,
          async () => (request = await getFleetRequest(store, id))?.claimedAt != null,
          signal,
        );
        // expiring is conditional on the row being unclaimed: if the host took it just now, it runs
        if (!taken) {
          const expired = await expireFleetRequests(store, {
            host,
            before: Number.MAX_SAFE_INTEGER,
            at: clock.now(),
            detail: `expired: ${host} did not take it while the leader waited`,
            id,
          });
          if (expired > 0) {
            log.warn({ id, host, service, by }, 'restart not taken by its host');
            return { kind: 'not-taken', waitedMs: clock.now() - createdAt };
          }
        }
        const claimedAt = (await getFleetRequest(store, id))?.claimedAt ?? clock.now();
        const finished = await waitUntil(
          claimedAt + waitMs,
          async () => (request = await getFleetRequest(store, id))?.finishedAt != null,
          signal,
        );
        if (!finished || !request) {
          log.warn({ id, host, service, by }, 'restart taken by its host but no result');
          return { kind: 'no-result', waitedMs: clock.now() - createdAt };
        }
        return { kind: 'done', ok: request.ok === true, detail: request.detail ?? '' };
      } catch (err) {
        // warden is stopping: a request nobody took must not run after the chat stopped hearing
        await expireFleetRequests(store, {
          host,
          before: Number.MAX_SAFE_INTEGER,
          at: clock.now(),
          detail: 'expired: the leader stopped while waiting',
          id,
        }).catch(() => undefined);
        throw err;
      }
    },
  };
}

export type RemoteRestart = ReturnType<typeof createRemoteRestart>;
