import type { Language } from '../../src-shared/bridge';
import { en } from './en';
import { ru } from './ru';
import type { Strings, UiLanguage } from './strings';

export type { Strings, UiLanguage } from './strings';

const STRINGS: Record<UiLanguage, Strings> = { en, ru };

/** `auto` follows the system: Russian for any `ru` locale, English otherwise. */
export function resolveLanguage(setting: Language, systemLanguages: readonly string[]): UiLanguage {
  if (setting !== 'auto') return setting;
  const first = systemLanguages[0] ?? 'en';
  return first.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function stringsFor(language: UiLanguage): Strings {
  return STRINGS[language];
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
