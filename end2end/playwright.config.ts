import { defineConfig } from "@playwright/test";

// Debian's Chromium: `npx playwright install` cannot download browsers on our machines.
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  // One server, one database: specs run one after the other, each with its own users.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000",
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    locale: "en-US",
    trace: "retain-on-failure",
  },
  // Every spec twice: hydrated, and as plain server-rendered HTML.
  projects: [
    { name: "chromium-js", use: { ...chromium, javaScriptEnabled: true } },
    { name: "chromium-nojs", use: { ...chromium, javaScriptEnabled: false } },
  ],
});
