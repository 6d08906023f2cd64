// Reconciliation's public face: the console routes and the daily job's entry point.
export { reconciliationRoutes } from "./routes.js";
export { chinaDate, reconcileYesterday, runReconciliation } from "./service.js";
