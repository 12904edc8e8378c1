import path from "node:path";
import { defineConfig, type ReporterDescription } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "./e2e/support/chromium";
import { BASE_URL } from "./e2e/support/environment";

// With CHIRP_TEST_REPORT_DIR set (as .ci/run does), results are also written as JSON so
// that the totals of every suite can be added up.
const reportDir = process.env.CHIRP_TEST_REPORT_DIR;
const reporters: ReporterDescription[] = [["list"], ["./e2e/support/server-log-reporter.ts"]];
if (reportDir) {
  reporters.push(["json", { outputFile: path.join(reportDir, "playwright.json") }]);
}

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "./test-results/playwright",
  globalSetup: "./e2e/global-setup.ts",
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Two cores run the server, the browser and the runner; more workers only add waiting.
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: reporters,
  use: {
    baseURL: BASE_URL,
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
