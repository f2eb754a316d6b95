import type { SettingsOwner } from '../../core/people/rights.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The cohort or district a form's `target` names ("cohort:<id>", "district:<id>"), as the pages that
 * keep a cohort's or a district's settings (school calendar, planning questions, catalog) send it;
 * null for anything else, an id that is no id included.
 */
export function settingsOwnerOf(target: string | undefined): SettingsOwner | null {
  const [kind, id] = (target ?? '').split(':');
  if (!id || !UUID.test(id)) return null;
  return kind === 'cohort' ? { cohortId: id } : kind === 'district' ? { districtId: id } : null;
}

export interface TargetChoice<T> {
  value: string;
  label: string;
  /** The cohort or district itself, as the page read it. */
  of: T;
}

/** The choices of a settings page's target: its cohorts, then its districts, as `settingsOwnerOf` reads them back. */
export function targetChoices<C extends { id: string; name: string }, D extends { id: string; name: string }>(
  cohorts: readonly C[],
  districts: readonly D[],
): TargetChoice<C | D>[] {
  return [
    ...cohorts.map((c) => ({ value: `cohort:${c.id}`, label: `Cohort: ${c.name}`, of: c })),
    ...districts.map((d) => ({ value: `district:${d.id}`, label: `District: ${d.name}`, of: d })),
  ];
}

/** The target the form sent back, else the one the address names (`?target=`), else the first. */
export function chosenTarget<T extends { value: string }>(choices: readonly T[], sent: string | undefined, query: unknown): T | undefined {
  const wanted = sent ?? (typeof query === 'string' ? query : undefined);
  return choices.find((t) => t.value === wanted) ?? choices[0];
}
