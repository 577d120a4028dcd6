#!/usr/bin/env node
// The entry point catches SIGTERM and SIGINT before anything else loads: a signal that arrives while
// the app's modules load is logged and handled, instead of killing the process with nothing said.
import { catchStopSignals } from "./shutdown.js";

const shutdown = catchStopSignals();
const { run } = await import("./run.js");
await run(shutdown, process.argv.slice(2), process.env);
