/**
 * Runs once when a Next server starts. The work is Node.js only, and the inline runtime
 * check lets Next leave it out of the Edge build of this file.
 */
export async function register(): Promise<void> {
  if (
    process.env.NEXT_RUNTIME === "nodejs" &&
    process.env.NEXT_PHASE !== "phase-production-build"
  ) {
    const { startServer } = await import("@/lib/server/start");
    await startServer();
  }
}
