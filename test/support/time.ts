/** Durations the tests reckon in, in milliseconds (the workflows' own are ISO 8601 durations). */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
