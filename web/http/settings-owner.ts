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
