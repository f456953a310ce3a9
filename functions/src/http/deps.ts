import type { Config } from '../config.js';
import type { Db } from '../db/create-db.js';
import type { Logger } from '../logger.js';
import type { SmsSender } from '../notification/sms.js';
import type { Clock } from '../time/shanghai.js';

/** Everything a handler may use, built once per process (or per Lambda container). */
export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  sms: SmsSender;
}
