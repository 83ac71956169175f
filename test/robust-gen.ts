// Export generators for the limit, fault and path tests (written for this project; streamed to disk so
// a 70 MB export never sits in one string): many copies of the samples, and one long video row.
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { SAMPLES } from "./fixtures.js";

type Row = Record<string, unknown>;

/** Write pieces of text to a file with backpressure. */
async function writePieces(path: string, pieces: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const piece of pieces) {
    if (!out.write(piece)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/**
 * `copies` copies of samples/images.json's rows, each with its own data hash and titles, so every
 * item is a distinct file in every format: a long, ordinary export for interrupting and filling disks.
 */
export async function writeSampleCopies(path: string, copies: number): Promise<number> {
  const rows = JSON.parse(readFileSync(join(SAMPLES, "images.json"), "utf8")) as Row[];
  function* pieces(): Generator<string> {
    yield "[\n";
    let n = 0;
    for (let c = 0; c < copies; c++) {
      for (const row of rows) {
        const copy: Row = { ...row, data_hash: `c${c}-${String(row.data_hash)}`, data_title: `c${c}-${String(row.data_title)}` };
        // Data unit keys are data hashes too.
        const units = Object.entries(row.data_units as Record<string, Row>).map(([k, u]) => [
          `c${c}-${k}`,
          { ...u, data_hash: `c${c}-${String(u.data_hash)}`, data_title: `c${c}-${String(u.data_title)}` },
        ]);
        copy.data_units = Object.fromEntries(units);
        yield `${n++ === 0 ? "" : ",\n"}${JSON.stringify(copy)}`;
      }
    }
    yield "\n]\n";
  }
  await writePieces(path, pieces());
  return copies * rows.length;
}

/**
 * One video label row of `frames` labelled frames with `perFrame` boxes each (one track per box
 * slot), about 254 bytes per box: 56,000 frames x 5 boxes is a ~71 MB row, over the reader's 64 MB cap.
 */
export async function writeLongVideo(path: string, frames: number, perFrame: number): Promise<void> {
  function* pieces(): Generator<string> {
    yield '[{"label_hash":"lbl-long","branch_name":"main","dataset_hash":"ds","dataset_title":"long","data_hash":"vid-long",';
    yield '"data_title":"long.mp4","data_type":"video","label_status":"LABELLED","data_units":{"vid-long":{"data_hash":"vid-long",';
    yield '"data_title":"long.mp4","data_type":"video/mp4","data_sequence":0,"width":1920,"height":1080,"labels":{';
    for (let f = 0; f < frames; f++) {
      const objects: string[] = [];
      for (let k = 0; k < perFrame; k++) {
        const x = ((f * 7 + k * 13) % 900) / 1000;
        objects.push(
          `{"name":"car","value":"car","color":"#D33115","shape":"bounding_box","featureHash":"fhCar001","objectHash":"trk${String(k).padStart(5, "0")}",` +
            `"confidence":1,"manualAnnotation":true,"createdBy":"generator@example.com","boundingBox":{"x":${x},"y":0.25,"w":0.05,"h":0.1}}`,
        );
      }
      yield `${f === 0 ? "" : ","}"${f}":{"objects":[${objects.join(",")}],"classifications":[]}`;
    }
    yield '}}},"object_answers":{';
    const answers: string[] = [];
    for (let k = 0; k < perFrame; k++) answers.push(`"trk${String(k).padStart(5, "0")}":{"objectHash":"trk${String(k).padStart(5, "0")}","classifications":[]}`);
    yield answers.join(",");
    yield '},"classification_answers":{},"object_actions":{}}]\n';
  }
  await writePieces(path, pieces());
}
