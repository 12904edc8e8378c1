export const dynamic = "force-dynamic";

/** Responds without touching the database: a liveness check, and the baseline in benchmarks. */
async function ping(): Promise<Response> {
  return Response.json({ ok: true });
}

export const GET = ping;
export const POST = ping;
