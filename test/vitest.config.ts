import { defineConfig } from "vitest/config";

// Tests live under test/ and import sources directly; integration tests spawn the built server from dist/,
// which the test script builds first.
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    exclude: ["test/fixtures/**", "node_modules/**", "dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
