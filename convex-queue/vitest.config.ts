import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // convex-test needs the edge-runtime-like globals that Node 20 already has.
    environment: "node",
    include: ["tests-ts/**/*.test.ts"],
    server: { deps: { inline: ["convex-test"] } },
    // The smoke test starts the real server process.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
