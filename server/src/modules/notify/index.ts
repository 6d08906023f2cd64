// The notify module's public face: the notifier, the inbox routes and the customer's subscriptions.
export {
  type BalanceNoticeRun,
  balanceNotice,
  balanceNoticesInAppOnly,
  notifyAllBalanceChanges,
  notifyBalanceChanges,
  startBalanceNoticeLoop,
} from "./money-notifications.js";
export { type InboxItem, inboxInsert } from "./money-notifications-store.js";
export { createNotifier, type Notifier } from "./service.js";
export {
  type Channels,
  channelsFor,
  defaultSubscriptions,
  type NotificationTopic,
  notificationTopics,
  readSubscriptions,
  type Subscriptions,
} from "./subscriptions.js";
export { subscriptionRoutes } from "./subscriptions-routes.js";
