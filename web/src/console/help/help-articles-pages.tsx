// Placeholder until the help-article editor lands in this session.
export function HelpArticlesPage() {
  return null;
}
export function HelpArticlePage() {
  return null;
}
