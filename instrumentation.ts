/**
 * Runs once when the Next server starts: opening the database applies pending migrations
 * and, on the embedded database, takes the folder lock, so a second server fails at
 * start instead of on its first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { getDb } = await import("@/lib/db/client");
  await getDb();
}
