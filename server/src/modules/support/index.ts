// What other modules (the bot, later) may use of the help centre.
export { DEFAULT_CATEGORIES, defaultArticles, type ImportReport, importHelpCentre } from "./import.js";
export { helpRoutes } from "./routes.js";
export { queryTerms, tokenise } from "./search.js";
export { searchHelp } from "./service.js";
