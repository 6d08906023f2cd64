// The help-centre editor's view of the server (server/src/modules/support/help-admin-routes.ts).
import type { TFunction } from "i18next";

export type HelpStatus = "draft" | "published";

export type HelpFeedback = { helpful: number; notHelpful: number };

export type HelpArticleListItem = {
  id: string;
  slug: string;
  category: string;
  status: HelpStatus;
  source: "import" | "staff";
  version: number;
  titleZh: string;
  titleEn: string;
  hasEnglish: boolean;
  feedback: HelpFeedback;
  updatedAt: string;
};

export type HelpArticle = {
  id: string;
  slug: string;
  category: string;
  status: HelpStatus;
  source: "import" | "staff";
  version: number;
  titleZh: string;
  bodyZh: string;
  titleEn: string;
  bodyEn: string;
  keywords: string[];
  feedback: HelpFeedback;
  createdAt: string;
  updatedAt: string;
  updatedBy: { id: string; name: string } | null;
};

export type HelpCategory = {
  slug: string;
  nameZh: string;
  nameEn: string;
  position: number;
  articles: number;
  published: number;
};

export const ARTICLE_SLUG = /^[a-z0-9][a-z0-9-]{0,98}$/;
export const CATEGORY_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_BODY = 50_000;

export function statusLabel(t: TFunction, status: HelpStatus): string {
  switch (status) {
    case "draft":
      return t("help.status.draft");
    case "published":
      return t("help.status.published");
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

/** The category's name in the console's language (Chinese when it has no English name). */
export function categoryName(categories: readonly HelpCategory[], slug: string, language: string): string {
  const c = categories.find((x) => x.slug === slug);
  if (!c) return slug;
  return language.startsWith("en") && c.nameEn ? c.nameEn : c.nameZh;
}
