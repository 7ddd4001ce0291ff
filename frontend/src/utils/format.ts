import { type Period, windowLength } from './windows';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (value: number) => String(value).padStart(2, '0');

/** "27 Nov 2026" for the UTC calendar day of `date`. */
export function formatUtcDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "13:00" (or "13:21:04" with seconds) in UTC. */
export function formatUtcTime(date: Date, withSeconds = false): string {
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  return withSeconds ? `${time}:${pad(date.getUTCSeconds())}` : time;
}

/** "27 Nov 2026, 13:00–14:00 UTC" for an hour, "27 Nov 2026 (UTC)" for a day. */
export function formatWindow(period: Period, start: Date, end: Date): string {
  if (period === 'day') return `${formatUtcDate(start)} (UTC)`;
  return `${formatUtcDate(start)}, ${formatUtcTime(start)}–${formatUtcTime(end)} UTC`;
}

/** formatWindow of the window of `period` that starts at `start` (RFC 3339, as the API writes it). */
export function windowName(period: Period, start: string): string {
  const from = new Date(start);
  return formatWindow(period, from, new Date(from.getTime() + windowLength(period)));
}

/** "13:00" for an hour, "27 Nov" for a day: an axis or a picker label. */
export function formatWindowShort(period: Period, start: Date): string {
  return period === 'hour' ? formatUtcTime(start) : `${start.getUTCDate()} ${MONTHS[start.getUTCMonth()]}`;
}

/** "2026-11-27", the UTC calendar date, as a date input reads and writes it. */
export const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** "13:21:04" in the viewer's local time. */
export function formatLocalTime(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "just now", "3 minutes ago", "2 hours ago"… relative to `now`. A moment after `now` is "just now" too: the
 * viewer's clock may run a little behind the server's.
 */
/**
 * How long ago `date` was, to the second while under a minute ("3 s ago"), for freshness that counts up; a
 * `date` ahead of `now` (another machine's clock) reads "just now".
 */
/** Seconds as "42 s", "3 min", "2 h 5 min". */
export function formatLag(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatAge(date: Date, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - date.getTime()) / 1000));
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  return formatRelative(date, now);
}

export function formatRelative(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (seconds > -45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

const numbers = new Intl.NumberFormat('en-GB');

export const formatCount = (value: number) => numbers.format(value);

/** A song as the API names it: `title` and `artist` are null while the catalog does not know it. */
export interface SongNames {
  readonly song_id: string;
  readonly title: string | null;
  readonly artist: string | null;
}

/** What to call a song: its title, or its id while the catalog does not know it. */
export const songTitle = (song: SongNames) => song.title ?? song.song_id;

/** "Title — Artist", falling back to the song id when the title is unknown. */
export function songLabel(song: SongNames): string {
  if (song.title === null) return song.song_id;
  return song.artist === null ? song.title : `${song.title} — ${song.artist}`;
}
