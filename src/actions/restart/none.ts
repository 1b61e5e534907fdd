import type { RestartDriver } from './types.ts';

/** `restart.strategy: none`: warden watches and alerts, and leaves restarts to someone else. */
export const noRestart = {
  restart: () => Promise.resolve({ attempted: false, ok: false, detail: 'restart strategy is none' }),
} satisfies RestartDriver;
