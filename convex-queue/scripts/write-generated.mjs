// Writes convex/_generated/* (and the legacy fixture's) by hand, following the templates of
// `npx convex codegen` (convex 1.48, JavaScript + .d.ts flavour). Why: codegen needs a
// deployment, and these files only depend on the module list and schema.ts, so they can be
// produced offline. `npx convex dev` / `npx convex deploy` regenerate equivalent files.
//
// Usage: node scripts/write-generated.mjs   (run again after adding a module)
import { readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join, relative, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dirs = [join(root, "convex"), join(root, "src", "test", "legacy-convex")];

function header(description) {
  return `/* eslint-disable */
/**
 * ${description}
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run \`npx convex dev\`.
 * @module
 */
`;
}

function modulePaths(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        if (name !== "_generated" && name !== "node_modules") walk(full);
        continue;
      }
      if (!/\.(ts|js)$/.test(name) || name.endsWith(".d.ts")) continue;
      const rel = relative(dir, full).replace(/\\/g, "/");
      if (rel === "schema.ts" || rel === "auth.config.ts" || rel.startsWith("convex.config")) continue;
      out.push(rel.replace(/\.(ts|js)$/, ""));
    }
  };
  walk(dir);
  return out.sort();
}

function identifier(path) {
  return path.replace(/\//g, "_").replace(/-/g, "_");
}

for (const dir of dirs) {
  const gen = join(dir, "_generated");
  mkdirSync(gen, { recursive: true });
  const modules = modulePaths(dir);
  writeFileSync(
    join(gen, "api.d.ts"),
    `${header("Generated `api` utility.")}
import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
${modules.map((m) => `import type * as ${identifier(m)} from "../${m}.js";`).join("\n")}

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * \`\`\`js
 * const myFunctionReference = api.myModule.myFunction;
 * \`\`\`
 */
declare const fullApi: ApiFromModules<{
${modules.map((m) => `  "${m}": typeof ${identifier(m)};`).join("\n")}
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
`,
  );
  writeFileSync(
    join(gen, "api.js"),
    `${header("Generated `api` utility.")}
import { anyApi } from "convex/server";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * \`\`\`js
 * const myFunctionReference = api.myModule.myFunction;
 * \`\`\`
 */
export const api = anyApi;
export const internal = anyApi;
`,
  );
  writeFileSync(
    join(gen, "dataModel.d.ts"),
    `${header("Generated data model types.")}
import type {
  DataModelFromSchemaDefinition,
  DocumentByName,
  TableNamesInDataModel,
  SystemTableNames,
} from "convex/server";
import type { GenericId } from "convex/values";
import schema from "../schema.js";

/**
 * The names of all of your Convex tables.
 */
export type TableNames = TableNamesInDataModel<DataModel>;

/**
 * The type of a document stored in Convex.
 *
 * @typeParam TableName - A string literal type of the table name (like "users").
 */
export type Doc<TableName extends TableNames> = DocumentByName<
  DataModel,
  TableName
>;

/**
 * An identifier for a document in Convex.
 *
 * @typeParam TableName - A string literal type of the table name (like "users").
 */
export type Id<TableName extends TableNames | SystemTableNames> =
  GenericId<TableName>;

/**
 * A type describing your Convex data model.
 */
export type DataModel = DataModelFromSchemaDefinition<typeof schema>;
`,
  );
  writeFileSync(
    join(gen, "server.d.ts"),
    `${header("Generated utilities for implementing server-side Convex query and mutation functions.")}
import {
  ActionBuilder,
  HttpActionBuilder,
  MutationBuilder,
  QueryBuilder,
  GenericActionCtx,
  GenericMutationCtx,
  GenericQueryCtx,
  GenericDatabaseReader,
  GenericDatabaseWriter,
} from "convex/server";
import type { DataModel } from "./dataModel.js";

/** Define a query in this Convex app's public API. */
export declare const query: QueryBuilder<DataModel, "public">;

/** Define a query that is only accessible from other Convex functions (but not from the client). */
export declare const internalQuery: QueryBuilder<DataModel, "internal">;

/** Define a mutation in this Convex app's public API. */
export declare const mutation: MutationBuilder<DataModel, "public">;

/** Define a mutation that is only accessible from other Convex functions (but not from the client). */
export declare const internalMutation: MutationBuilder<DataModel, "internal">;

/** Define an action in this Convex app's public API. */
export declare const action: ActionBuilder<DataModel, "public">;

/** Define an action that is only accessible from other Convex functions (but not from the client). */
export declare const internalAction: ActionBuilder<DataModel, "internal">;

/** Define an HTTP action. */
export declare const httpAction: HttpActionBuilder;

export declare const env: Record<string, string | undefined>;

/** A set of services for use within Convex query functions. */
export type QueryCtx = GenericQueryCtx<DataModel>;

/** A set of services for use within Convex mutation functions. */
export type MutationCtx = GenericMutationCtx<DataModel>;

/** A set of services for use within Convex action functions. */
export type ActionCtx = GenericActionCtx<DataModel>;

/** An interface to read from the database within Convex query functions. */
export type DatabaseReader = GenericDatabaseReader<DataModel>;

/** An interface to read from and write to the database within Convex mutation functions. */
export type DatabaseWriter = GenericDatabaseWriter<DataModel>;
`,
  );
  writeFileSync(
    join(gen, "server.js"),
    `${header("Generated utilities for implementing server-side Convex query and mutation functions.")}
import {
  actionGeneric,
  httpActionGeneric,
  queryGeneric,
  mutationGeneric,
  internalActionGeneric,
  internalMutationGeneric,
  internalQueryGeneric,
} from "convex/server";

/** Define a query in this Convex app's public API. */
export const query = queryGeneric;

/** Define a query that is only accessible from other Convex functions (but not from the client). */
export const internalQuery = internalQueryGeneric;

/** Define a mutation in this Convex app's public API. */
export const mutation = mutationGeneric;

/** Define a mutation that is only accessible from other Convex functions (but not from the client). */
export const internalMutation = internalMutationGeneric;

/** Define an action in this Convex app's public API. */
export const action = actionGeneric;

/** Define an action that is only accessible from other Convex functions (but not from the client). */
export const internalAction = internalActionGeneric;

/** Define an HTTP action. */
export const httpAction = httpActionGeneric;

export const env = process.env;
`,
  );
  console.log(`${relative(root, gen)}: ${modules.join(", ")}`);
}
