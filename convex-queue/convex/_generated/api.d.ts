/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as checkpoints from "../checkpoints.js";
import type * as crons from "../crons.js";
import type * as docs from "../docs.js";
import type * as http from "../http.js";
import type * as jobs from "../jobs.js";
import type * as lib_auth from "../lib/auth.js";
import type * as lib_checkpoints from "../lib/checkpoints.js";
import type * as lib_costs from "../lib/costs.js";
import type * as lib_depth from "../lib/depth.js";
import type * as lib_errors from "../lib/errors.js";
import type * as lib_fairness from "../lib/fairness.js";
import type * as lib_jobs from "../lib/jobs.js";
import type * as lib_model from "../lib/model.js";
import type * as lib_pauses from "../lib/pauses.js";
import type * as lib_returns from "../lib/returns.js";
import type * as queue from "../queue.js";
import type * as repositories from "../repositories.js";
import type * as users from "../users.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  "checkpoints": typeof checkpoints;
  "crons": typeof crons;
  "docs": typeof docs;
  "http": typeof http;
  "jobs": typeof jobs;
  "lib/auth": typeof lib_auth;
  "lib/checkpoints": typeof lib_checkpoints;
  "lib/costs": typeof lib_costs;
  "lib/depth": typeof lib_depth;
  "lib/errors": typeof lib_errors;
  "lib/fairness": typeof lib_fairness;
  "lib/jobs": typeof lib_jobs;
  "lib/model": typeof lib_model;
  "lib/pauses": typeof lib_pauses;
  "lib/returns": typeof lib_returns;
  "queue": typeof queue;
  "repositories": typeof repositories;
  "users": typeof users;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
