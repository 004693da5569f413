/** A minimal client of the Convex HTTP function API for the server tests. */
export interface HttpResult {
  status: number;
  body: any;
}

export async function post(baseUrl: string, route: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const response = await fetch(`${baseUrl}${route}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : null };
}

/** Calls a function through /api/<kind> with convex_encoded_json; returns the HTTP result. */
export async function callFunction(
  baseUrl: string,
  kind: "query" | "mutation" | "action",
  path: string,
  args: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return await post(baseUrl, `/api/${kind}`, { path, args, format: "convex_encoded_json" }, headers);
}

/** Calls a function and returns its value, failing on anything but success. */
export async function value(baseUrl: string, kind: "query" | "mutation", path: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = await callFunction(baseUrl, kind, path, args);
  if (result.status !== 200 || result.body.status !== "success") {
    throw new Error(`${path} failed: ${result.status} ${JSON.stringify(result.body)}`);
  }
  return result.body.value;
}
