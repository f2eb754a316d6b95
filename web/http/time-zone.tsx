import { getTimeZones } from '@vvo/tzdb';
import { Select } from './layout.js';

/**
 * The time-zone field: the zones of US districts first, then every zone by continent, each named
 * by its main cities and its usual name and offset ("Chicago, Houston, San Antonio – Central Time
 * (UTC−06:00)"), so that typing a city finds it. The list is @vvo/tzdb's, made for such pickers:
 * one zone per group of identical ones, not ICU's four hundred names (Africa/Asmera).
 */

const COMMON = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Puerto_Rico',
];

const offset = (minutes: number) => {
  const sign = minutes < 0 ? '−' : '+';
  const m = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

function zoneOptions() {
  const zones = getTimeZones({ includeUtc: true });
  const label = (z: (typeof zones)[number]) =>
    z.name === 'Etc/UTC'
      ? 'UTC (Coordinated Universal Time)'
      : `${z.mainCities.slice(0, 3).join(', ')} – ${z.alternativeName} (${offset(z.rawOffsetInMinutes)})`;
  const common = COMMON.map((name) => zones.find((z) => z.name === name)).filter((z) => z !== undefined);
  const byContinent = new Map<string, { value: string; label: string }[]>();
  for (const z of [...zones]
    .filter((x) => !COMMON.includes(x.name))
    .sort((a, b) => a.rawOffsetInMinutes - b.rawOffsetInMinutes || label(a).localeCompare(label(b)))) {
    const continent = z.name === 'Etc/UTC' ? 'UTC' : z.continentName;
    byContinent.set(continent, [...(byContinent.get(continent) ?? []), { value: z.name, label: label(z) }]);
  }
  return {
    groups: [
      { label: 'Common in the United States', options: common.map((z) => ({ value: z.name, label: label(z) })) },
      ...[...byContinent.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([continent, options]) => ({ label: continent, options })),
    ],
    /** Every name the list stands for (a zone's group), to the zone it is listed as. */
    listedAs: new Map(zones.flatMap((z) => z.group.map((g) => [g, z.name] as const))),
  };
}

const OPTIONS = zoneOptions();

export function TimeZoneSelect(props: {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  /** A first choice meaning "none of my own" (a person's setting); without it, a zone is required. */
  emptyLabel?: string;
}) {
  // A zone the list shows under another name (US/Central) is selected as that one; a name it does not
  // know at all (kept from an import) is offered as it is, so saving the form does not change it.
  const listed = props.value ? (OPTIONS.listedAs.get(props.value) ?? null) : null;
  const own = props.value && !listed ? [{ value: props.value, label: props.value }] : [];
  return (
    <Select
      name={props.name}
      label={props.label}
      hint={props.hint}
      value={listed ?? props.value}
      error={props.error}
      required={!props.emptyLabel}
      options={[...(props.emptyLabel ? [{ value: '', label: props.emptyLabel }] : []), ...own]}
      groups={OPTIONS.groups}
    />
  );
}
