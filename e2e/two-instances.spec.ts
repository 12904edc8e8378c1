import { expect, test } from "./fixtures";
import { BoardPage } from "./pages/board-page";
import { KeysPage } from "./pages/keys-page";
import { type ApiResponse, completedStatusObject, newJobId } from "./support/chirp-api";
import { EXTRA_PORT, SHARED_DATABASE_URL } from "./support/environment";
import type { NextServer } from "./support/next-server";
import { type SignedInUser, signUpWithKeys, startPostgresApp } from "./support/postgres-app";

// Two app instances on one database, as behind a load balancer: nothing that another
// instance must see may live in one process's memory.

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as ApiResponse["json"] };
}

test.describe("two instances", () => {
  test.describe.configure({ mode: "serial" });

  let instanceA: NextServer;
  let instanceB: NextServer;
  let user: SignedInUser;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(180_000);
    [instanceA, instanceB] = await Promise.all([
      startPostgresApp({
        port: EXTRA_PORT,
        databaseUrl: SHARED_DATABASE_URL,
        name: "instance-a-server",
      }),
      startPostgresApp({
        port: EXTRA_PORT + 1,
        databaseUrl: SHARED_DATABASE_URL,
        name: "instance-b-server",
      }),
    ]);
    user = await signUpWithKeys(browser, instanceB);
  });

  test.afterAll(async () => {
    await user?.context.close();
    await Promise.all([instanceA?.stop(), instanceB?.stop()]);
  });

  test("delivery to A updates B's board live", async () => {
    const board = new BoardPage(user.page);
    await board.goto();
    await board.markDocument();

    const jobId = newJobId();
    const start = await postJson(
      `${instanceA.url}/v1/activity/start`,
      { schema_id: "@runpod", data: { key: jobId, jobName: "two-instances" } },
      { authorization: `Bearer ${user.apiKey}` },
    );
    expect(start.status).toBe(201);
    await expect(board.card(jobId)).toHaveAttribute("data-state", "queued");

    const delivery = await postJson(
      `${instanceA.url}/v1/webhooks/runpod?key=${user.webhookKey}`,
      completedStatusObject(jobId),
    );
    expect(delivery.status).toBe(200);
    await expect(board.card(jobId)).toHaveAttribute("data-state", "completed");
    expect(await board.keptDocument(), "the board changed without a reload").toBe(true);
  });

  test("key revoked on A is rejected by B", async ({ browser }) => {
    const webhookOnB = `${instanceB.url}/v1/webhooks/runpod?key=${user.webhookKey}`;
    const before = await postJson(webhookOnB, completedStatusObject(newJobId()));
    expect(before.status).toBe(200);

    // The session cookie is set for the host, so it signs this context in on A as well.
    const contextA = await browser.newContext({
      baseURL: instanceA.url,
      storageState: await user.context.storageState(),
    });
    try {
      const keysPage = new KeysPage(await contextA.newPage());
      await keysPage.goto();
      await keysPage.revoke(user.webhookKeyId);
    } finally {
      await contextA.close();
    }

    const after = await postJson(webhookOnB, completedStatusObject(newJobId()));
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe("revoked_key");
  });
});
