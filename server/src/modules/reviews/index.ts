export {
  createReviewItem,
  type ReviewDecision,
  type ReviewHandler,
  type ReviewItem,
  registerReviewHandler,
} from "./registry.js";
