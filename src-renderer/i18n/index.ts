import type { Language } from '../../src-shared/bridge';
import { en } from './en';
import type { Strings, UiLanguage } from './strings';

export type { Strings, UiLanguage } from './strings';

/*
 * English is in the first load; every other table is a chunk of its own, fetched when
 * its language is chosen, so a guest downloads one language, not all of them.
 */
const loaded: Partial<Record<UiLanguage, Strings>> = { en };
const LOADERS: Record<Exclude<UiLanguage, 'en'>, () => Promise<Strings>> = {
  ru: () => import('./ru').then((module) => module.ru),
};
const loading = new Map<UiLanguage, Promise<Strings>>();

/** `auto` follows the system: Russian for any `ru` locale, English otherwise. */
export function resolveLanguage(setting: Language, systemLanguages: readonly string[]): UiLanguage {
  if (setting !== 'auto') return setting;
  const first = systemLanguages[0] ?? 'en';
  return first.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/** The language's strings once loaded (see loadStrings); English until then. */
export function stringsFor(language: UiLanguage): Strings {
  return loaded[language] ?? en;
}

export function hasStrings(language: UiLanguage): boolean {
  return loaded[language] !== undefined;
}

/** Fetches a language's table (once); a failed fetch is tried again on the next call. */
export function loadStrings(language: UiLanguage): Promise<Strings> {
  const ready = loaded[language];
  if (ready !== undefined) return Promise.resolve(ready);
  let pending = loading.get(language);
  if (pending === undefined) {
    pending = LOADERS[language as Exclude<UiLanguage, 'en'>]().then(
      (strings) => {
        loaded[language] = strings;
        loading.delete(language);
        return strings;
      },
      (error: unknown) => {
        loading.delete(language);
        throw error;
      },
    );
    loading.set(language, pending);
  }
  return pending;
}

/** Splits a template into text and its `{holes}`, filled by `fill`. Values may be anything renderable. */
export function fillTemplate<T>(template: string, values: Record<string, T>): (string | T)[] {
  const parts: (string | T)[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const name = match[1]!;
    if (!(name in values)) continue;
    if (match.index > last) parts.push(template.slice(last, match.index));
    parts.push(values[name]!);
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

/** A template whose holes are all text. */
export function format(template: string, values: Record<string, string | number>): string {
  return fillTemplate(template, values).map(String).join('');
}
