// ESLint for the deployable Convex functions (convex/): typescript-eslint's recommended rules with type
// information, and the Convex team's rules (@convex-dev/eslint-plugin, recommended set) plus
// require-access-control: every public function starts with an access check (requireWorker, a callback
// token, an ownership check) or says that it is public on purpose with allowPublic("why").
// Run by `npm run lint` (warnings fail it too), part of `npm test` and so of the Maven build. The legacy fixture
// (src/test/legacy-convex) imitates the existing deployment's code and is not linted.
import convexPlugin from "@convex-dev/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/_generated/**", "node_modules/**", "src/test/legacy-convex/**"] },
  {
    files: ["convex/**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: "./convex/tsconfig.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...convexPlugin.configs.recommended,
  {
    files: ["convex/**/*.ts"],
    rules: {
      "@convex-dev/require-access-control": [
        "error",
        { pattern: "^(require|assert|check|ensure|can)([A-Z_]|$)|^has[A-Z_]|^allowPublic$" },
      ],
    },
  },
);
