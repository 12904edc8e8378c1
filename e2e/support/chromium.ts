/**
 * How the end-to-end suite and the benchmarks launch Debian's `chromium` package: never a
 * downloaded browser, and with flags that keep it from opening connections of its own.
 */
export const CHROMIUM_EXECUTABLE = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
