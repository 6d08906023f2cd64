// What every module's routes and services are given: no module reaches for globals.
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Crypto } from "./crypto.js";
import type { Db } from "./db/database.js";
import type { EventBus } from "./events.js";
import type { AuditTrail } from "./modules/audit/index.js";
import type { Notifier } from "./modules/notify/service.js";

export type AppContext = {
  config: Config;
  db: Db;
  clock: Clock;
  crypto: Crypto;
  audit: AuditTrail;
  notifier: Notifier;
  /** Fan-out between server processes (LISTEN/NOTIFY). */
  events: EventBus;
};
