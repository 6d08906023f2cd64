export type { AuditActor, AuditEntry, AuditTrail, AuditVerification } from "./service.js";
export { createAuditTrail, verifyAuditChain } from "./service.js";
export { type AuditQuery, type AuditRow, listAuditRows } from "./store.js";
