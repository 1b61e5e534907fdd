import type { Migration } from 'kysely';
import { up as core } from './001_core.ts';
import { up as alerts } from './002_alerts.ts';
import { up as runAlerts } from './003_run_alerts.ts';
import { up as outboxSends } from './004_outbox_sends.ts';
import { up as backupCatalog } from './005_backup_catalog.ts';
import { up as diskLogs } from './006_disk_logs.ts';
import { up as fleetIdentity } from './007_fleet.ts';
import { up as fleet } from './008_fleet.ts';
import { up as bot } from './009_bot.ts';
import { up as conversations } from './010_conversations.ts';
import { up as fleetRequests } from './011_fleet_requests.ts';

/** Applied in name order at every start; append new files, never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '001_core': { up: core },
  '002_alerts': { up: alerts },
  '003_run_alerts': { up: runAlerts },
  '004_outbox_sends': { up: outboxSends },
  '005_backup_catalog': { up: backupCatalog },
  '006_disk_logs': { up: diskLogs },
  '007_fleet': { up: fleetIdentity },
  '008_fleet': { up: fleet },
  '009_bot': { up: bot },
  '010_conversations': { up: conversations },
  '011_fleet_requests': { up: fleetRequests },
};
