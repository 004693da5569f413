import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

/** A lazily imported module, as convex-test expects it (the shape of `import.meta.glob`). */
export type ModuleLoader = () => Promise<Record<string, unknown>>;

/** The function modules of one Convex functions directory. */
export interface FunctionModules {
  /** For convex-test: absolute file path → loader, including `_generated/*` (how it finds the root). */
  readonly forConvexTest: Record<string, ModuleLoader>;
  /** Module path as clients name it (`queue`, `lib/auth`) → loader. */
  readonly byModulePath: ReadonlyMap<string, ModuleLoader>;
}

const SOURCE = /\.(ts|js|mjs)$/;

/**
 * Lists the modules of a Convex functions directory without Vite: `import.meta.glob` only exists
 * inside Vite/Vitest, so the server builds the same map from the file system and dynamic imports.
 */
export function functionModules(dir: string): FunctionModules {
  const forConvexTest: Record<string, ModuleLoader> = {};
  const byModulePath = new Map<string, ModuleLoader>();
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) {
        if (name !== "node_modules") walk(full);
        continue;
      }
      if (!SOURCE.test(name) || name.endsWith(".d.ts")) continue;
      const url = pathToFileURL(full).href;
      const loader: ModuleLoader = () => import(url);
      forConvexTest[full] = loader;
      const modulePath = relative(dir, full).replace(/\\/g, "/").replace(SOURCE, "");
      if (!modulePath.startsWith("_generated/")) byModulePath.set(modulePath, loader);
    }
  };
  walk(dir);
  if (!Object.keys(forConvexTest).some((path) => path.includes("_generated"))) {
    throw new Error(`${dir} has no _generated directory; run: node scripts/write-generated.mjs`);
  }
  return { forConvexTest, byModulePath };
}
