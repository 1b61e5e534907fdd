/**
 * One line of `warden check`: a dependency probed, with the fix when it fails.
 * @example { name: 'store', ok: false, detail: '127.0.0.1:5433/warden: connection refused', fix: 'start PostgreSQL or correct store.url' }
 */
export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}
