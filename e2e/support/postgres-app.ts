import path from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import pg from "pg";
import { SignUpPage } from "../pages/auth-pages";
import { KeysPage } from "../pages/keys-page";
import { completedStatusObject, newJobId } from "./chirp-api";
import { BASE_URL, RESULTS_DIR, TEST_AUTH_SECRET, TEST_KEY_SECRET } from "./environment";
import { type NextServer, startNextServer } from "./next-server";

/**
 * Helpers for specs that run their own `next start` instances on PostgreSQL, using the
 * build that the global setup made, and load them with webhook deliveries.
 */

/** Starts an app instance on `databaseUrl`, logging to test-results/<name>.log. */
export function startPostgresApp({
  port,
  databaseUrl,
  name,
  env = {},
}: {
  port: number;
  databaseUrl: string;
  name: string;
  /** More variables for this instance; `undefined` removes one. */
  env?: Record<string, string | undefined>;
}): Promise<NextServer> {
  return startNextServer({
    port,
    logFile: path.join(RESULTS_DIR, `${name}.log`),
    env: {
      DATABASE_URL: databaseUrl,
      CHIRP_DB_DRIVER: "postgres",
      // The keys page shows webhook URLs on this base, which the key page object checks.
      CHIRP_BASE_URL: BASE_URL,
      AUTH_SECRET: TEST_AUTH_SECRET,
      CHIRP_KEY_SECRET: TEST_KEY_SECRET,
      CHIRP_KEY_SECRET_PREVIOUS: undefined,
      LOG_LEVEL: "warn",
      ...env,
    },
  });
}

export interface SignedInUser {
  context: BrowserContext;
  page: Page;
  webhookKey: string;
  webhookKeyId: string;
  apiKey: string;
  /** The session cookie as a Cookie header, for requests made outside the browser. */
  cookie: string;
}

/** Signs up on `app` in a browser context of its own and creates one key of each kind. */
export async function signUpWithKeys(browser: Browser, app: NextServer): Promise<SignedInUser> {
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  await new SignUpPage(page).signUp();
  const keysPage = new KeysPage(page);
  await keysPage.goto();
  const webhook = await keysPage.createKey("webhook", "reliability webhook");
  const api = await keysPage.createKey("api", "reliability api");
  const cookies = await context.cookies(app.url);
  return {
    context,
    page,
    webhookKey: webhook.key,
    webhookKeyId: webhook.keyId,
    apiKey: api.key,
    cookie: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; "),
  };
}

export interface DeliveryOutcome {
  jobId: string;
  /** The response status, or null when no response came (the server was down). */
  status: number | null;
  /** Milliseconds from sending the request to reading the whole response. */
  durationMs: number;
  sentAt: number;
  retryAfter: string | null;
  errorCode: string | undefined;
  deliveryId: string | undefined;
}

async function sendDelivery(url: string, jobId: string): Promise<DeliveryOutcome> {
  const sentAt = Date.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(completedStatusObject(jobId)),
      // Far above the 5 s limit the specs check, so a hang is measured instead of cut off.
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json()) as {
      deliveryId?: string;
      error?: { code: string };
    };
    return {
      jobId,
      status: response.status,
      durationMs: Date.now() - sentAt,
      sentAt,
      retryAfter: response.headers.get("retry-after"),
      errorCode: json.error?.code,
      deliveryId: json.deliveryId,
    };
  } catch {
    return {
      jobId,
      status: null,
      durationMs: Date.now() - sentAt,
      sentAt,
      retryAfter: null,
      errorCode: undefined,
      deliveryId: undefined,
    };
  }
}

/**
 * A steady load of COMPLETED deliveries, each for a new job, from `senders` loops that
 * each send one request at a time.
 */
export class DeliveryLoad {
  readonly outcomes: DeliveryOutcome[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly webhookUrl: string,
    senders = 4,
    private readonly pauseMs = 25,
  ) {
    this.loops = Array.from({ length: senders }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.outcomes.push(await sendDelivery(this.webhookUrl, newJobId()));
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }

  /** Waits until `count` more deliveries got a 200 response than when called. */
  async waitForAccepted(count: number, timeoutMs = 60_000): Promise<void> {
    const target = this.accepted().length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.accepted().length < target) {
      if (Date.now() > deadline) {
        throw new Error(
          `Only ${this.accepted().length} of ${target} deliveries were accepted within ${timeoutMs} ms; last outcomes: ${JSON.stringify(this.outcomes.slice(-5))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  accepted(): DeliveryOutcome[] {
    return this.outcomes.filter((outcome) => outcome.status === 200);
  }

  /** Stops sending and returns every outcome once the requests in flight are done. */
  async stop(): Promise<DeliveryOutcome[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.outcomes;
  }
}

/**
 * Returns the accepted deliveries that are missing from the database: those whose
 * delivery row or completed card cannot be found.
 */
export async function missingDeliveries(
  databaseUrl: string,
  accepted: DeliveryOutcome[],
): Promise<DeliveryOutcome[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deliveries = await client.query<{ id: string }>(
      "select id from deliveries where id = any($1::text[]) and response_status = 200",
      [accepted.map((outcome) => outcome.deliveryId)],
    );
    const cards = await client.query<{ key: string }>(
      "select key from activities where key = any($1::text[]) and state = 'completed'",
      [accepted.map((outcome) => outcome.jobId)],
    );
    const storedDeliveries = new Set(deliveries.rows.map((row) => row.id));
    const closedCards = new Set(cards.rows.map((row) => row.key));
    return accepted.filter(
      (outcome) =>
        !storedDeliveries.has(outcome.deliveryId ?? "") || !closedCards.has(outcome.jobId),
    );
  } finally {
    await client.end();
  }
}
