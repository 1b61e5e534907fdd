import { alertsStatus } from './alerts.ts';
import { backupsStatus } from './backups.ts';
import { daemonStatus } from './daemon.ts';
import { diskStatus } from './disk.ts';
import { incidentsStatus } from './incidents.ts';
import { servicesStatus } from './services.ts';
import { silencesStatus } from './silences.ts';
import type { StatusSection } from './types.ts';

/** The sections of `warden status`, in display order; a new one is one line here. */
export const statusSections: StatusSection[] = [
  daemonStatus,
  servicesStatus,
  incidentsStatus,
  silencesStatus,
  backupsStatus,
  diskStatus,
  alertsStatus,
];
