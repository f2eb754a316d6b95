/** The value of the one series of `name` in Prometheus' text format whose labels include all of `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The sum of every series of `name` whose labels include all of `labels` (undefined when there is none). */
export function metricSum(text: string, name: string, labels: Record<string, string>): number | undefined {
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return lines.length === 0 ? undefined : lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** What `GET /metrics` at `baseUrl` says of `name` with `labels` now (0 when no such series yet). */
export async function scrapeValue(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricValue(await (await fetch(`${baseUrl}/metrics`)).text(), name, labels) ?? 0;
}
