import { expect, test } from "./fixtures";
import { completedStatusObject, newJobId, postWebhook, webhookUrl } from "./support/chirp-api";

test.describe("keys", () => {
  test("revoked webhook key gets 401 revoked_key", async ({ keys, keysPage }) => {
    const spare = await keysPage.createKey("webhook", "spare webhook");
    await keysPage.revoke(keys.webhookKeyId);

    const rejected = await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()));
    expect(rejected.status).toBe(401);
    expect(rejected.json.error.code).toBe("revoked_key");
    expect(rejected.json.error.message).toContain(keys.webhookKeyId);
    expect(rejected.json.error.message, "the message never echoes the key").not.toContain(
      keys.webhookKey,
    );

    const accepted = await postWebhook(webhookUrl(spare.key), completedStatusObject(newJobId()));
    expect(accepted.status, "another key of the account still works").toBe(200);

    await keysPage.page.reload();
    await expect(keysPage.row(keys.webhookKeyId)).toContainText("Revoked");
    await expect(keysPage.row(spare.keyId)).toContainText("Active");
  });

  test("new key is shown only once", async ({ keys, keysPage }) => {
    await keysPage.page.reload();
    await expect(keysPage.newKey).toHaveCount(0);

    const row = keysPage.row(keys.apiKeyId);
    await expect(row).toContainText("e2e api");
    await expect(row).toContainText("Active");
    const secret = keys.apiKey.split("_")[4]!;
    await expect(row, "the list shows only the display start").not.toContainText(secret);
    await expect(keysPage.rows).toHaveCount(2);
  });
});
