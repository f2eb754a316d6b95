import type { DateTime } from 'luxon';
import type { ComponentChildren } from 'preact';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * A month as a table of weeks from Monday, each day with what `items` puts on it. On a phone (CSS
 * `table.month`) it reads as a list of the days that have something, each named ("Tue 12"): seven
 * columns of 50 px would break every name mid-word. `month` is the month's first day, in the zone
 * the days are in.
 */
export function MonthGrid({ month, items }: { month: DateTime; items: Map<number, ComponentChildren[]> }) {
  const lead = month.weekday - 1;
  const cells: (number | null)[] = [...Array(lead).fill(null), ...Array.from({ length: month.daysInMonth ?? 30 }, (_, i) => i + 1)];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  return (
    <table class="month">
      <caption>{month.toFormat('LLLL yyyy')}</caption>
      <thead>
        <tr>
          {WEEKDAYS.map((d) => (
            <th key={d} scope="col">
              {d}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week, w) => (
          <tr key={`week-${w + 1}`}>
            {week.map((day, i) =>
              day === null ? (
                <td key={`blank-${w}-${i}`} class="blank" />
              ) : (
                <td
                  key={day}
                  class={(items.get(day)?.length ?? 0) > 0 ? undefined : 'quiet'}
                  data-day={month.set({ day }).toFormat('ccc d')}
                >
                  <span class="day">{day}</span>
                  {(items.get(day)?.length ?? 0) > 0 && (
                    <ul>
                      {items.get(day)?.map((item, n) => (
                        <li key={`${day}-${n + 1}`}>{item}</li>
                      ))}
                    </ul>
                  )}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
