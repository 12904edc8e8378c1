import { afterAll, beforeAll } from "vitest";
import { closeDb, getDb } from "@/lib/db/client";

// Opening the database (PGlite's WebAssembly start and the migrations) takes seconds on a
// busy machine. Doing it in a hook keeps that time out of the first test's budget.
beforeAll(async () => {
  await getDb();
});

afterAll(async () => {
  await closeDb();
});
