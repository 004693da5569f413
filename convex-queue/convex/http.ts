import { httpRouter } from "convex/server";
import { ConvexError } from "convex/values";
import { internal } from "./_generated/api";
import { httpAction } from "./_generated/server";
import { DEPTH_TOKEN_HEADER, checkDepthToken } from "./lib/auth";

/*
 * HTTP routes of the deployment, served at https://<deployment>.convex.site (the functions' API is at .convex.cloud).
 *
 * GET /queue/depth: the queue's depth for an autoscaler (KEDA's metrics-api trigger; docker/kubernetes/keda/). It
 * exists while no worker runs, which a worker's own /metrics cannot. See docs/convex-functions.md, "The depth route".
 */

/** The path of the depth route. */
export const DEPTH_ROUTE_PATH = "/queue/depth";

const http = httpRouter();

http.route({
  path: DEPTH_ROUTE_PATH,
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    const refusal = checkDepthToken(request.headers.get(DEPTH_TOKEN_HEADER));
    if (refusal !== null) return json(refusal.status, { code: refusal.code, message: refusal.message });
    const raw = new URL(request.url).searchParams.get("limit");
    const limit = raw === null ? undefined : Number(raw);
    if (limit !== undefined && !Number.isInteger(limit)) {
      return json(400, { code: "INVALID_ARGUMENT", message: "limit must be an integer from 1 to 1000" });
    }
    try {
      // why `now` from here: an action may read the clock; the query takes it as an argument (see queue:depth).
      const depth = await ctx.runQuery(internal.queue.depthForRoute, { now: Date.now(), limit });
      return json(200, depth);
    } catch (error) {
      // A ConvexError is one of ours ({code, message}: a bad limit, a malformed FONDATION_MAX_RUNNING_PER_USER).
      if (error instanceof ConvexError) {
        const data = error.data as { code: string; message: string };
        return json(data.code === "INVALID_ARGUMENT" ? 400 : 500, data);
      }
      throw error;
    }
  }),
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    // why no-store: the answer is for its instant; a proxy must not serve an old depth.
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

export default http;
