/**
 * Describes the stored detail of a key audit event in words, for the dashboard's key
 * history. `formatTime` writes the ISO 8601 times the detail stores. Fields that a row
 * lacks, because it was written before the field existed, are left out of the text.
 */
export function describeAuditDetail(
  action: string,
  detail: Record<string, unknown>,
  formatTime: (iso: string) => string,
): string {
  switch (action) {
    case "create":
      return describeCreation(detail, formatTime);
    case "reroll":
      return typeof detail.previousValidUntil === "string"
        ? `old value valid until ${formatTime(detail.previousValidUntil)}`
        : "old value stopped at once";
    case "expiry_change": {
      const format = (value: unknown) => (typeof value === "string" ? formatTime(value) : "never");
      return `${format(detail.from)} → ${format(detail.to)}`;
    }
    case "limit_change":
    case "scope_change":
      return `${String(detail.from)} → ${String(detail.to)}`;
    default:
      return "";
  }
}

const KIND_NAMES: Record<string, string> = { webhook: "Webhook key", api: "API key" };

/** Writes a creation's kind, name, endpoints and expiry, such as `Webhook key “sdxl”, any endpoint, no expiry`. */
function describeCreation(
  detail: Record<string, unknown>,
  formatTime: (iso: string) => string,
): string {
  const kind = typeof detail.kind === "string" ? (KIND_NAMES[detail.kind] ?? detail.kind) : null;
  const name = typeof detail.name === "string" ? `“${detail.name}”` : null;
  const parts = [[kind, name].filter((part) => part !== null).join(" ")];

  // A webhook key created without a list of endpoints may change cards of any endpoint;
  // its row has no `endpoints` field. API keys have no endpoint scope.
  if (typeof detail.endpoints === "string") parts.push(`endpoints ${detail.endpoints}`);
  else if (detail.kind === "webhook") parts.push("any endpoint");

  if (typeof detail.expiresAt === "string") parts.push(`expires ${formatTime(detail.expiresAt)}`);
  else if (detail.expiresAt === null) parts.push("no expiry");

  return parts.filter((part) => part !== "").join(", ");
}
