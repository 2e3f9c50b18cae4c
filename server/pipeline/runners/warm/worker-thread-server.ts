import { join } from "node:path";
import { packageRoot } from "../../../../grammars/paths.js";
import type { WarmMode } from "../plugins/plugin.js";
import { ForkServer } from "./fork-server.js";

/**
 * A warm mode whose server is one of repair-ls's own Node scripts in this folder (node_warm_server.mjs,
 * js_runner_warm_server.mjs) that runs each candidate in worker threads. Such a server serves one scratch copy and
 * runs in it, because workers cannot change folder; and since the run happens inside the server, a timeout or a
 * cancellation stops the server itself (`runsInServer`), which the pool then replaces.
 */
export function workerThreadServerMode(script: string, env: Readonly<Record<string, string>> = {}): WarmMode {
  return {
    start(context, run) {
      return ForkServer.start({
        script: join(packageRoot(), "server", "pipeline", "runners", "warm", script),
        interpreter: run.interpreter,
        forbiddenRoots: [context.userRoot, context.scratchRoot, context.scratchDir],
        preload: [],
        cwd: context.scratchRoot,
        env,
        runsInServer: true,
      });
    },
  };
}
