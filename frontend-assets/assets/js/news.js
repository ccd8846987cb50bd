// News (资讯) in the back office: the categories and review states as words, shared by the
// news desk and the editor. Titles and bodies are the writers' own and never go through here.

import { t } from './i18n.js';

export const CATEGORIES = ['policy', 'season', 'training', 'market', 'announcement'];

/** A category's name in the current language. */
export function categoryName(c) {
  return t(`news.cat_${c}`);
}

/** Where an article's newest revision stands, in words. */
export function statusName(s) {
  return t(`news.status_${s}`);
}
