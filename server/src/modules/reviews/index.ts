export {
  cancelReviewItem,
  createReviewItem,
  PROOF_FILE_KEY,
  type ReviewDecision,
  type ReviewHandler,
  type ReviewItem,
  registerReviewHandler,
} from "./registry.js";
