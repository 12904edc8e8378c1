import { defineConfig } from "@playwright/test";
import config from "./playwright.config";

// `npm run screenshots`: the README's images, taken against the same built server as the
// end-to-end suite. One worker, so the pictures come out in a steady order.
export default defineConfig({
  ...config,
  testMatch: "screenshots/**/*.ts",
  workers: 1,
  reporter: "list",
});
