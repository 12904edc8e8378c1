import type { KeyAuditEntry } from "@/lib/keys/audit";
import type { KeySummary } from "@/lib/keys/store";

const HEADERS = [
  "ID",
  "KIND",
  "NAME",
  "DISPLAY START",
  "CREATED",
  "LAST USED",
  "USES",
  "STATUS",
] as const;

export type KeyStatus = "active" | "revoked" | "expired";

export function keyStatus(key: KeySummary, now: Date): KeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

/** Formats keys as a space-aligned table with a header row, one key per line. */
export function formatKeyTable(keys: readonly KeySummary[], now: Date): string {
  const rows = keys.map((key) => [
    key.id,
    key.kind,
    // Names are free text: a control character would break the row or drive the terminal.
    key.name.replace(/\p{Cc}/gu, " "),
    key.displayStart,
    formatTime(key.createdAt),
    key.lastUsedAt ? formatTime(key.lastUsedAt) : "never",
    String(key.useCount),
    keyStatus(key, now),
  ]);
  return alignColumns([...HEADERS], rows);
}

const AUDIT_HEADERS = ["TIME", "ACTION", "ACTOR", "ACTOR ID", "IP", "DISPLAY START", "DETAIL"];

/**
 * Formats a key's audit trail as a space-aligned table, one event per line, oldest first.
 * ACTOR is the actor as the dashboard writes it, and ACTOR ID the stored value.
 */
export function formatAuditTable(events: readonly KeyAuditEntry[]): string {
  const rows = events.map((event) => [
    formatTime(event.createdAt),
    event.action,
    event.actorName,
    event.actor,
    event.ip ?? "-",
    event.displayStart ?? "-",
    formatDetail(event.detail),
  ]);
  return alignColumns(AUDIT_HEADERS, rows);
}

/** Writes detail fields as `name=value` pairs; values are ids, kinds, times and grace periods. */
function formatDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([name, value]) => `${name}=${value === null ? "none" : String(value)}`)
    .join(" ")
    .replace(/\p{Cc}/gu, " ");
}

function alignColumns(headers: string[], rows: string[][]): string {
  const table = [headers, ...rows];
  const widths = headers.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? "").length)),
  );
  const lines = table.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  "),
  );
  return `${lines.join("\n")}\n`;
}

/** Formats a time in UTC as ISO 8601 to the second, such as 2025-06-01T12:00:03Z. */
function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
