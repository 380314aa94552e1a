import { test as base, expect } from "@playwright/test";

/**
 * Every spec fails on a browser error (a panic in the WASM, a hydration mismatch).
 * Failed requests are not errors here: a refused log-in answers with an error status.
 */
export const test = base.extend<{ browserErrors: string[] }>({
  browserErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        const text = message.text();
        if (message.type() === "error" && !text.startsWith("Failed to load resource") && !isSandboxNotice(text)) {
          errors.push(text);
        }
      });
      await use(errors);
      expect(errors, "errors in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});

/**
 * The email preview is an `<iframe sandbox srcdoc>` whose HTML the server sanitized, so it
 * holds no script; Chromium still reports the scripts *Playwright* injects into every frame
 * as blocked there. That notice, and only it, is not an application error.
 */
function isSandboxNotice(text: string): boolean {
  return text.startsWith("Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed");
}

export { expect };
