import { expect, test } from "./fixtures";
import {
  completedStatusObject,
  ENDPOINT_ID,
  newJobId,
  postActivity,
  postWebhook,
  startActivity,
} from "./support/chirp-api";
import { submitJob } from "./support/runpod";

// A python handler's exception as runpod-python reports it in a FAILED job's `error`.
const HANDLER_ERROR = JSON.stringify({
  error_type: "<class 'torch.cuda.OutOfMemoryError'>",
  error_message: "CUDA out of memory. Tried to allocate 2.00 GiB",
  error_traceback: 'Traceback (most recent call last):\n  File "handler.py", line 42, in handler',
  hostname: "e2eworker00001-64410",
  worker_id: "e2eworker00001",
  runpod_version: "1.7.0",
});

test.describe("board", () => {
  test("COMPLETED webhook closes the open card", async ({ board, keys, simulator }) => {
    await board.goto();
    await board.markDocument();

    // Long enough in the queue for the open card to be seen before the webhook.
    const jobId = await submitJob(simulator, {
      webhook: keys.webhookUrl,
      simulate: { outcome: "COMPLETED", queueMs: 3000, runMs: 1000 },
    });
    const started = await startActivity(keys.apiKey, jobId);
    expect(started.status).toBe(201);
    expect(started.json.activity.state).toBe("queued");

    const card = board.card(jobId);
    await expect(card).toHaveAttribute("data-state", "queued");
    await expect(card).toContainText("RunPod · QUEUED");

    await expect(card).toHaveAttribute("data-state", "completed", { timeout: 20_000 });
    await expect(card).toContainText("RunPod · COMPLETED");
    await expect(board.cards).toHaveCount(1);
    expect(simulator.jobs.get(jobId)?.webhookDelivery).toBe("delivered");
    expect(await board.keptDocument(), "the board updated without a reload").toBe(true);
  });

  test("FAILED webhook shows the error message", async ({ board, keys, simulator }) => {
    await board.goto();
    await board.markDocument();

    const jobId = await submitJob(simulator, {
      webhook: keys.webhookUrl,
      simulate: { outcome: "FAILED", queueMs: 2000, runMs: 1000, error: HANDLER_ERROR },
    });
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    const card = board.card(jobId);
    await expect(card).toHaveAttribute("data-state", "queued");

    await expect(card).toHaveAttribute("data-state", "failed", { timeout: 20_000 });
    await expect(card).toContainText("RunPod · FAILED");
    await expect(card).toContainText("CUDA out of memory. Tried to allocate 2.00 GiB");
    await expect(card, "the card shows the message, not the raw error JSON").not.toContainText(
      "error_traceback",
    );
    expect(await board.keptDocument(), "the board updated without a reload").toBe(true);
  });

  test("unknown job's webhook adds a closed card", async ({ board, keys }) => {
    await board.goto();
    await board.markDocument();

    const jobId = newJobId();
    const delivery = await postWebhook(keys.webhookUrl, completedStatusObject(jobId));
    expect(delivery.status).toBe(200);
    expect(delivery.json.state).toBe("completed");

    const card = board.card(jobId);
    await expect(card).toHaveAttribute("data-state", "completed");
    await expect(card).toContainText("RunPod · COMPLETED");
    expect(await board.keptDocument(), "the board updated without a reload").toBe(true);
  });

  test("empty board explains the first job", async ({ board, account: _account }) => {
    await board.goto();
    await expect(board.cards).toHaveCount(0);
    const main = board.page.getByRole("main");
    await expect(main, "the empty state shows the RunPod call").toContainText(
      "/v1/webhooks/runpod?key=",
    );
    await expect(main, "the empty state shows the start call").toContainText("/v1/activity/start");
  });

  test("board filtered to an endpoint updates live", async ({ board, keys }) => {
    const onEndpoint = newJobId();
    const elsewhere = newJobId();
    expect((await startActivity(keys.apiKey, onEndpoint)).status).toBe(201);
    const other = await postActivity("start", keys.apiKey, {
      key: elsewhere,
      jobName: "e2e-other",
      endpoint: "e2eotherendp02",
    });
    expect(other.status).toBe(201);

    await board.goto(`endpoint=${ENDPOINT_ID}`);
    await board.markDocument();
    await expect(board.card(onEndpoint)).toHaveAttribute("data-state", "queued");
    await expect(board.card(elsewhere)).toHaveCount(0);
    await expect(board.stateCount("queued")).toContainText("1");

    // The other endpoint's webhook goes first, so once the filtered card has changed the
    // other one has been received too and must still be left out.
    expect((await postWebhook(keys.webhookUrl, completedStatusObject(elsewhere))).status).toBe(200);
    expect((await postWebhook(keys.webhookUrl, completedStatusObject(onEndpoint))).status).toBe(
      200,
    );

    await expect(board.card(onEndpoint)).toHaveAttribute("data-state", "completed");
    await expect(board.card(elsewhere)).toHaveCount(0);
    await expect(board.cards).toHaveCount(1);
    // The counters follow the change and still count only the filtered endpoint.
    await expect(board.stateCount("queued")).toContainText("0");
    await expect(board.stateCount("completed")).toContainText("1");
    expect(await board.keptDocument(), "the board updated without a reload").toBe(true);
  });

  test("filter form puts the filters in the URL", async ({ board, keys }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await board.goto();

    await board.page.getByRole("combobox", { name: /^State\b/ }).selectOption("completed");
    await board.page.getByRole("button", { name: "Apply" }).click();
    await expect(board.page).toHaveURL(/[?&]state=completed/);
    await expect(board.card(jobId)).toHaveCount(0);
    await expect(board.page.getByTestId("board-no-match")).toBeVisible();

    await board.page.getByRole("combobox", { name: /^State\b/ }).selectOption("queued");
    await board.page.getByRole("button", { name: "Apply" }).click();
    await expect(board.page).toHaveURL(/[?&]state=queued/);
    await expect(board.card(jobId)).toHaveAttribute("data-state", "queued");
  });

  test("invalid filter value is named and ignored", async ({ board, keys }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await board.goto("state=finished");
    await expect(board.filterErrors).toContainText("state=finished is not a state");
    await expect(board.card(jobId)).toHaveAttribute("data-state", "queued");
  });
});
