// Reference: stream-json alone (parser + StreamArray: one assembled row at a time), counting rows.
import { createReadStream } from "node:fs";
import chain from "stream-chain";
import { parser } from "stream-json";
import { streamArray } from "stream-json/streamers/stream-array.js";

let rows = 0;
const pipeline = chain([createReadStream(process.argv[2] ?? ""), parser(), streamArray()]);
pipeline.on("data", () => rows++);
pipeline.on("end", () => process.stdout.write(`${rows}\n`));
pipeline.on("error", (e) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});
