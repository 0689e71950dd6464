/** Whether two times fall on different days, in local time. */
export function differentDays(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getDate() !== y.getDate() || x.getMonth() !== y.getMonth() || x.getFullYear() !== y.getFullYear();
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A day as people say it: "Friday, 4 December 2026", "пятница, 4 декабря 2026 г.". */
export function formatDay(time: number, locale: string): string {
  let format = formats.get(locale);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    formats.set(locale, format);
  }
  return format.format(time);
}
