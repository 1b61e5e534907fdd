import type { BackupKind } from '../config.ts';
import type { BackupTargetKind } from '../types.ts';
import { files } from './files.ts';
import { postgres } from './postgres.ts';
import { warden } from './warden.ts';

/** Every backup target kind; a new kind is one file and one line here. */
export const targetKinds: Record<BackupKind, BackupTargetKind> = { postgres, files, warden };
