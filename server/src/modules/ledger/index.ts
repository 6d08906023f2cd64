// The ledger's public face: the only way other modules move money.
export {
  type Account,
  findCustomerAccount,
  getOrCreateSystemAccount,
  openAccount,
  systemAccountCode,
  systemAccountName,
} from "./accounts.js";
export {
  type BatcherOptions,
  type BatchGate,
  type BatchHooks,
  type BatchItem,
  type BatchOutcome,
  type BatchWritten,
  postTransferBatch,
  TransferBatcher,
} from "./batch.js";
export {
  createHold,
  expireHolds,
  getHold,
  type Hold,
  type HoldRequest,
  type HoldStatus,
  postHold,
  voidHold,
} from "./holds.js";
export {
  type AccountBalance,
  balanceOf,
  type Entry,
  getBalance,
  type LedgerDeps,
  listEntries,
  MAX_AMOUNT,
  postTransfer,
  reverseTransfer,
  type Transfer,
  type TransferRequest,
  type TransferResult,
  transferPosted,
} from "./service.js";
export { formatLedgerReport, type LedgerProblem, type LedgerVerification, verifyLedger } from "./verify.js";
