import { commandOptions } from './command.ts';
import { httpOptions } from './http.ts';
import { pm2Options } from './pm2.ts';
import { postgresOptions } from './postgres.ts';
import { tcpOptions } from './tcp.ts';

/** The check kinds a service can use, by their config key; the config schema is built from this. */
export const checkOptions = {
  http: httpOptions,
  tcp: tcpOptions,
  command: commandOptions,
  postgres: postgresOptions,
  pm2: pm2Options,
};
