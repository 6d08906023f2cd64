// The back office's public face: console routes for the ledger explorer and manual adjustments.
export { LEDGER_ADJUSTMENT_KIND, proposeAdjustment } from "./adjustments.js";
export { backofficeRoutes } from "./routes.js";
