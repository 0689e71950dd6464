const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The Qt client's timestamp: `[dd.MM.yyyy HH:mm:ss]` in local time. */
export function formatTimestamp(time: number): string {
  const d = new Date(time);
  return `[${two(d.getDate())}.${two(d.getMonth() + 1)}.${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}]`;
}
