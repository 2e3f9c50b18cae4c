// The line protocol every Node warm server of repair-ls speaks (node_warm_server.mjs, js_runner_warm_server.mjs):
// one JSON object per line on stdin and on stdout, as fork-server.ts expects. Kept in one place so that the servers
// cannot drift apart on how they announce themselves, answer, or end.

import { createInterface } from "node:readline";

/** Writes one protocol message on stdout. */
export function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * Announces the server ({"ready": true, "pid": n}), then answers each request line with `serve(request)`'s reply
 * under the request's id, one at a time; exits when stdin closes (the caller has gone).
 */
export async function serveRequests(serve) {
  send({ ready: true, pid: process.pid });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line);
    send({ id: request.id, ...(await serve(request)) });
  }
  process.exit(0);
}
